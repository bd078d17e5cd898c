import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName } from './fixtures.ts';
import type { Page } from '@playwright/test';

/** The previewed output's size, from the stats under the preview once it has settled. */
async function previewedSize(page: Page): Promise<string> {
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
  const text = (await page.getByTestId('result-stats').textContent()) ?? '';
  return /(\d+ × \d+)/.exec(text)?.[1] ?? '';
}

test('crop box, rotate and mirror feed the live preview; a stored compression lists its options', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('editor'));
  await page.goto('/upload');
  await page
    .getByLabel('Choose images')
    .setInputFiles({ name: 'dunes.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(640, 480, { hue: 30 }) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('link', { name: 'Open dunes' }).click();
  await expect(page).toHaveURL(/\/images\//);
  await page.reload();
  const stats = page.getByTestId('result-stats');
  await expect(stats).toContainText('640 × 480');

  // Rotating a quarter turn swaps the previewed width and height.
  await page.getByRole('button', { name: 'Rotate right' }).click();
  await expect(stats).toContainText('480 × 640');
  expect(await previewedSize(page)).toBe('480 × 640');
  await page.getByRole('button', { name: 'Rotate left' }).click();
  await expect(stats).toContainText('640 × 480');

  // The crop box starts on the middle 80%, and the preview has its size.
  await page.getByRole('button', { name: 'Crop', exact: true }).click();
  const box = page.getByRole('group', { name: /Crop area/ });
  await expect(box).toBeVisible();
  await expect(box).toHaveAccessibleName('Crop area: 512 × 384 px from 64, 48');
  await expect(stats).toContainText('512 × 384');

  // Keyboard: Shift+arrows resize (one step is 1% of the longer side, 6 px), arrows move.
  await box.focus();
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('Shift+ArrowUp');
  await expect(box).toHaveAccessibleName('Crop area: 500 × 378 px from 64, 48');
  await page.keyboard.press('ArrowRight');
  await expect(box).toHaveAccessibleName('Crop area: 500 × 378 px from 70, 48');
  await expect(stats).toContainText('500 × 378');

  // Dragging the bottom-right handle up and left makes the crop smaller.
  const handle = page.locator('.crop-handle.se');
  const start = (await handle.boundingBox())!;
  const stage = (await page.locator('.crop-stage').boundingBox())!;
  const pixelsPerPoint = 640 / stage.width;
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move(start.x + start.width / 2 - 100 / pixelsPerPoint, start.y + start.height / 2 - 80 / pixelsPerPoint, { steps: 5 });
  await page.mouse.up();
  await expect(box).toHaveAccessibleName(/Crop area: (39\d|40\d) × (29\d|30\d) px from 70, 48/);
  const name = (await box.getAttribute('aria-label'))!;
  const [, width, height] = /(\d+) × (\d+)/.exec(name)!;
  await expect(stats).toContainText(`${width} × ${height}`);

  // Dragging the box moves it without changing its size.
  const inside = (await box.boundingBox())!;
  await page.mouse.move(inside.x + inside.width / 2, inside.y + inside.height / 2);
  await page.mouse.down();
  await page.mouse.move(inside.x + inside.width / 2 - 30 / pixelsPerPoint, inside.y + inside.height / 2, { steps: 3 });
  await page.mouse.up();
  await expect(box).toHaveAccessibleName(new RegExp(`Crop area: ${width} × ${height} px from (3\\d|4\\d), 48`));

  // With a rotation on top, the crop's sides swap in the preview too.
  await page.getByRole('button', { name: 'Rotate right' }).click();
  await expect(stats).toContainText(`${height} × ${width}`);
  await page.getByRole('button', { name: 'Flip horizontally' }).click();
  await expect(page.getByRole('button', { name: 'Flip horizontally' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('slider', { name: /Brightness/ }).fill('1.2');
  await expect(stats).toContainText(`${height} × ${width}`);
  expect(await previewedSize(page)).toBe(`${height} × ${width}`);
  await screenshot(page, 'transforms-panel');

  // Stored, the compression lists the options it was made with.
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(page.getByTestId('compression-row')).toHaveCount(1);
  const options = page.getByTestId('compression-options').first();
  await expect(options).toContainText(`crop ${width}×${height}`);
  await expect(options).toContainText('rotate 90');
  await expect(options).toContainText('flop');
  await expect(options).toContainText('brightness 1.2');
  await expect(page.getByTestId('compression-row').first()).toContainText(`${height} × ${width}`);
});
