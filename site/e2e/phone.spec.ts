// A phone-width window (390 × 844): no page is wider than the window, and every action on the
// image page (the compressions' Download and Delete above all) is visible without scrolling sideways.
import { compressImage } from './api.ts';
import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName } from './fixtures.ts';
import type { Page } from '@playwright/test';

test.use({ viewport: { width: 390, height: 844 } });

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const widths = await page.evaluate(() => ({ document: document.documentElement.scrollWidth, window: window.innerWidth }));
  expect(widths.document, `${what}: page width against the window's`).toBeLessThanOrEqual(widths.window);
}

/** Fully inside the window horizontally, and not clipped by a scrolling ancestor. */
function expectWithinWindow(name: string, box: { x: number; width: number } | null): void {
  expect(box, `${name} has a box`).not.toBeNull();
  expect(box!.x, `${name}: left edge`).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, `${name}: right edge`).toBeLessThanOrEqual(390);
}

test('at 390 px the gallery, image, upload and quick compress pages fit the window and show every action', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('phone'));
  await expectNoSidewaysScroll(page, 'empty gallery');

  await page.goto('/upload');
  await page.getByLabel('Choose images').setInputFiles({
    name: 'a-rather-long-file-name-from-a-phone-camera-20261130.jpg',
    mimeType: 'image/jpeg',
    buffer: await makePhoto(1200, 900, { hue: 40 }),
  });
  await expect(page.getByTestId('upload-item')).toHaveCount(1);
  await expectNoSidewaysScroll(page, 'upload page with a chosen file');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('link', { name: /^Open / }).click();
  await expect(page).toHaveURL(/\/images\//);
  const imageId = new URL(page.url()).pathname.split('/').pop()!;

  // Two stored compressions, made through the API, so the table has rows with actions.
  for (const options of [
    { format: 'WEBP', width: 600, quality: 70 },
    { format: 'JPEG', width: 300, quality: 80 },
  ]) {
    await compressImage(page.request, imageId, options);
  }
  await page.goto(`/images/${imageId}`);
  await expect(page.getByTestId('compression-row')).toHaveCount(2);
  await expectNoSidewaysScroll(page, 'image page');
  for (const action of [/^Download WEBP/, /^Delete WEBP/, /^Download JPEG/, /^Delete JPEG/]) {
    const control = page.getByRole(action.source.includes('Download') ? 'link' : 'button', { name: action });
    await control.scrollIntoViewIfNeeded();
    await expect(control).toBeVisible();
    expectWithinWindow(action.source, await control.boundingBox());
  }
  for (const name of ['Download original', 'Save', 'Delete image', 'Compress']) {
    const control = page.getByRole(name === 'Download original' ? 'link' : 'button', { name, exact: true });
    await control.scrollIntoViewIfNeeded();
    expectWithinWindow(name, await control.boundingBox());
  }
  await screenshot(page, 'phone-image');

  await page.goto('/');
  await expect(page.getByTestId('tile')).toHaveCount(1);
  await expectNoSidewaysScroll(page, 'gallery with an image');
  await screenshot(page, 'phone-gallery');

  await page.goto('/compress');
  await expectNoSidewaysScroll(page, 'quick compress');
});
