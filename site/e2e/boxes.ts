// Measuring pictures on zoomable stages: the stage's inside, the picture's box, fit, and panning
// until each edge shows.
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures.ts';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The stage's inside (without its border), where the picture is drawn. */
export async function innerBox(stage: Locator): Promise<Box> {
  return stage.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left + element.clientLeft, y: rect.top + element.clientTop, width: element.clientWidth, height: element.clientHeight };
  });
}

export async function imageBox(image: Locator): Promise<Box> {
  await expect
    .poll(() => image.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth > 0))
    .toBe(true);
  return image.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left, y: rect.top, width: rect.width, height: rect.height };
  });
}

/**
 * At fit: inside the stage, centred, min(1, fit scale) times the natural size. A stage places its
 * picture once it has measured itself (a ResizeObserver, a frame after layout), and a small picture
 * may have loaded before that: the size is waited for, then every rule checked.
 */
export async function expectFitted(stage: Locator, image: Locator, natural: { width: number; height: number }): Promise<void> {
  const fitScale = (outer: Box) => Math.min(1, outer.width / natural.width, outer.height / natural.height);
  await expect
    .poll(async () => Math.abs((await imageBox(image)).width - natural.width * fitScale(await innerBox(stage))))
    .toBeLessThan(0.5);
  const outer = await innerBox(stage);
  const box = await imageBox(image);
  const scale = fitScale(outer);
  expect(box.width).toBeCloseTo(natural.width * scale, 0);
  expect(box.height).toBeCloseTo(natural.height * scale, 0);
  expect(box.x).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(box.y).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(box.x + box.width).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  expect(box.y + box.height).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
  expect(box.x - outer.x).toBeCloseTo(outer.x + outer.width - (box.x + box.width), 0);
  expect(box.y - outer.y).toBeCloseTo(outer.y + outer.height - (box.y + box.height), 0);
}

export async function boxNow(image: Locator): Promise<Box> {
  return image.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left, y: rect.top, width: rect.width, height: rect.height };
  });
}

/**
 * Pans (arrow keys, or drags away from a slider's divider) until the picture stops moving, then
 * checks that edge is inside the stage.
 */
export async function panToEdges(
  page: Page,
  stage: Locator,
  image: Locator,
  how: { keys: (key: string) => string } | 'drag',
): Promise<void> {
  const edges = [
    { key: 'ArrowLeft', drag: [1, 0], check: (box: Box, outer: Box) => box.x - outer.x, label: 'left' },
    { key: 'ArrowRight', drag: [-1, 0], check: (box: Box, outer: Box) => outer.x + outer.width - (box.x + box.width), label: 'right' },
    { key: 'ArrowUp', drag: [0, 1], check: (box: Box, outer: Box) => box.y - outer.y, label: 'top' },
    { key: 'ArrowDown', drag: [0, -1], check: (box: Box, outer: Box) => outer.y + outer.height - (box.y + box.height), label: 'bottom' },
  ] as const;
  await imageBox(image);
  await stage.focus();
  const outer = await innerBox(stage);
  for (const edge of edges) {
    let previous = '';
    for (let moves = 0; moves < 200; moves++) {
      const position = JSON.stringify(await boxNow(image));
      if (position === previous) break;
      previous = position;
      if (how === 'drag') {
        const x = outer.x + outer.width * 0.25 - (edge.drag[0] * outer.width) / 5;
        const y = outer.y + outer.height / 2 - (edge.drag[1] * outer.height) / 5;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + (edge.drag[0] * outer.width) / 2.5, y + (edge.drag[1] * outer.height) / 2.5, { steps: 2 });
        await page.mouse.up();
      } else {
        await page.keyboard.press(how.keys(edge.key));
      }
    }
    // The edge is inside the stage: nothing of the picture beyond it is left unseen.
    expect(edge.check(await boxNow(image), outer), `${edge.label} edge reachable`).toBeGreaterThanOrEqual(-0.5);
  }
}
