// The compare view and the panel's preview pair show the whole picture at zoom 1 (fitted,
// centred, never enlarged past its own pixels), offer 1:1, and pan to every edge at any zoom.
import type { Locator, Page } from '@playwright/test';
import { compressImage, uploadImage } from './api.ts';
import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName } from './fixtures.ts';

interface Box { x: number; y: number; width: number; height: number }

/** The stage's inside (without its border), where the picture is drawn. */
async function innerBox(stage: Locator): Promise<Box> {
  return stage.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left + element.clientLeft, y: rect.top + element.clientTop, width: element.clientWidth, height: element.clientHeight };
  });
}

async function imageBox(image: Locator): Promise<Box> {
  await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth > 0)).toBe(true);
  return image.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left, y: rect.top, width: rect.width, height: rect.height };
  });
}

/** At fit: inside the stage, centred, min(1, fit scale) times the natural size. */
async function expectFitted(stage: Locator, image: Locator, natural: { width: number; height: number }): Promise<void> {
  const outer = await innerBox(stage);
  const box = await imageBox(image);
  const scale = Math.min(1, outer.width / natural.width, outer.height / natural.height);
  expect(box.width).toBeCloseTo(natural.width * scale, 0);
  expect(box.height).toBeCloseTo(natural.height * scale, 0);
  expect(box.x).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(box.y).toBeGreaterThanOrEqual(outer.y - 0.5);
  expect(box.x + box.width).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  expect(box.y + box.height).toBeLessThanOrEqual(outer.y + outer.height + 0.5);
  expect(box.x - outer.x).toBeCloseTo(outer.x + outer.width - (box.x + box.width), 0);
  expect(box.y - outer.y).toBeCloseTo(outer.y + outer.height - (box.y + box.height), 0);
}

async function boxNow(image: Locator): Promise<Box> {
  return image.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left, y: rect.top, width: rect.width, height: rect.height };
  });
}

/**
 * Pans (arrow keys, or drags away from a slider's divider) until the picture stops moving, then
 * checks that edge is inside the stage.
 */
async function panToEdges(page: Page, stage: Locator, image: Locator, how: { keys: (key: string) => string } | 'drag'): Promise<void> {
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

const PICTURES = [
  { name: 'wide', width: 1600, height: 1000, hue: 200 },
  { name: 'logo', width: 300, height: 300, hue: 20 },
  { name: 'tall', width: 700, height: 1118, hue: 120 },
];

test('compare and preview show the whole picture, 1:1, and pan to every edge', async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, uniqueName('comparer'));
  for (const picture of PICTURES) {
    const imageId = await uploadImage(page.request, picture.name, await makePhoto(picture.width, picture.height, { hue: picture.hue }));
    await compressImage(page.request, imageId, { format: 'WEBP', quality: 70, width: Math.round(picture.width / 2) });
    await page.goto(`/images/${imageId}`);
    const natural = { width: picture.width, height: picture.height };

    // The panel's original and preview, at fit (laid out at the output's size, the same shape).
    const panelOriginal = page.getByTestId('panel-original-stage');
    await expectFitted(panelOriginal, panelOriginal.getByRole('img'), natural);
    const panelPreview = page.getByTestId('panel-preview-stage');
    await expect(panelPreview.getByRole('img')).toBeVisible();
    await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
    await expectFitted(panelPreview, panelPreview.getByRole('img'), natural);

    const compare = page.getByRole('region', { name: 'Compare' }).getByTestId('compare');
    await compare.scrollIntoViewIfNeeded();
    const stage = compare.getByRole('group', { name: /^Comparison/ });
    const original = compare.getByRole('img', { name: `Original: ${picture.name}` });
    const compressed = compare.getByRole('img', { name: `Compressed: ${picture.name}, WEBP` });
    await expectFitted(stage, original, natural);
    // The half-size compression is drawn over the same box as the original.
    expect(await imageBox(compressed)).toEqual(await imageBox(original));
    if (picture.name === 'wide') {
      await page.getByLabel('Divider position').fill('50');
      await screenshot(page, 'compare-slider');
    }

    // 1:1: one image pixel per CSS pixel.
    await compare.getByRole('button', { name: '1:1' }).click();
    await expect(compare.getByTestId('zoom-percent')).toHaveText('100%');
    const actual = await imageBox(original);
    expect(actual.width).toBeCloseTo(picture.width, 0);
    expect(actual.height).toBeCloseTo(picture.height, 0);
    await panToEdges(page, stage, original, { keys: (key) => `Shift+${key}` });

    // The most it zooms: still every edge within reach.
    const zoomIn = compare.getByRole('button', { name: 'Zoom in' });
    while (await zoomIn.isEnabled()) await zoomIn.click();
    await panToEdges(page, stage, original, 'drag');

    // Side by side keeps the view: the zoomed picture still covers both stages.
    await compare.getByRole('button', { name: 'Side by side' }).click();
    for (const [name, image] of [['Original', original], ['WEBP', compressed]] as const) {
      const half = compare.getByRole('group', { name: new RegExp(`^${name}\\.`) });
      const outer = await innerBox(half);
      const box = await imageBox(image);
      expect(box.x).toBeLessThanOrEqual(outer.x + 0.5);
      expect(box.y).toBeLessThanOrEqual(outer.y + 0.5);
      expect(box.x + box.width).toBeGreaterThanOrEqual(outer.x + outer.width - 0.5);
      expect(box.y + box.height).toBeGreaterThanOrEqual(outer.y + outer.height - 0.5);
    }
    await compare.getByRole('button', { name: 'Fit' }).click();
    await expectFitted(compare.getByRole('group', { name: /^Original\./ }), original, natural);
    await expectFitted(compare.getByRole('group', { name: /^WEBP\./ }), compressed, natural);
    await panToEdges(page, compare.getByRole('group', { name: /^Original\./ }), original, { keys: (key) => key });
  }
});
