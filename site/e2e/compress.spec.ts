import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName, waitForIslands } from './fixtures.ts';

test('compress with a live preview, compare, download, delete the compression and the image', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('compressor'));
  await page.goto('/upload');
  await page
    .getByLabel('Choose images')
    .setInputFiles({ name: 'lake.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(1200, 900, { hue: 190 }) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('link', { name: 'Open lake' }).click();
  await expect(page).toHaveURL(/\/images\//);
  await waitForIslands(page);
  await expect(page.getByRole('heading', { name: 'lake', level: 1 })).toBeVisible();
  await expect(page.getByTestId('original-dimensions')).toHaveText('1200 × 900 px');
  await expect(page.getByText('None yet.')).toBeVisible();

  // The preview is computed by the API as options change: nothing is stored.
  const stats = page.getByTestId('result-stats');
  await expect(stats).toBeVisible();
  await expect(page.getByRole('img', { name: 'Preview of the compressed lake' })).toBeVisible();
  await expect(stats).toContainText('1200 × 900');

  // Width with the aspect lock: the height follows.
  await page.getByLabel('Width').fill('600');
  await expect(page.getByLabel('Height')).toHaveValue('450');
  await page.getByLabel('Format').selectOption('WEBP');
  await page.getByRole('slider', { name: /Quality/ }).fill('60');
  // The preview starts after a short debounce: wait for it to have begun or for nothing to be
  // running, then for nothing to be running, so the numbers read belong to the options set.
  const settled = async () => {
    await page.waitForTimeout(400); // PREVIEW_DEBOUNCE_MS (350) and a little
    await expect(page.locator('[data-testid="panel-preview-stage"] [aria-busy]')).toHaveCount(0);
    await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
  };
  const sizeInBytes = async () => {
    const match = /^([\d.]+) (B|KB)$/.exec((await page.getByTestId('result-size').textContent()) ?? '');
    return match ? Number(match[1]) * (match[2] === 'KB' ? 1024 : 1) : Number.NaN;
  };
  await expect(page.getByTestId('result-quality')).toHaveText('60');
  await settled();
  await expect(stats).toContainText('WEBP · 600 × 450');
  await expect(page.getByTestId('result-savings')).toHaveText(/\d+% smaller/);
  await expect(page.getByTestId('result-ssim')).toHaveText(/^0\.\d{4}$/);
  const previewSize = await page.getByTestId('result-size').textContent();
  expect(previewSize).toMatch(/\d+(\.\d)? KB/);
  expect(
    await page.getByRole('img', { name: 'Preview of the compressed lake' }).evaluate((img) => (img as HTMLImageElement).naturalWidth),
  ).toBe(600);
  await expect(page.getByText('Compressions 0 / 10')).toBeVisible();
  await screenshot(page, 'compress-panel');

  // Target SSIM mode, then the size budget.
  await page.getByRole('radio', { name: 'Target SSIM' }).check();
  await expect(page.getByRole('slider', { name: /Target SSIM/ })).toBeVisible();
  await page.getByRole('radio', { name: 'Max size' }).check();
  await page.getByLabel('Max size (KB)').fill('20');
  await settled();
  await expect(stats).toContainText('WEBP · 600 × 450');
  // Polled: a slow search under load may still be replacing the Target SSIM numbers.
  await expect.poll(sizeInBytes, { message: 'the previewed size, in B or KB', timeout: 30_000 }).toBeLessThanOrEqual(20 * 1024);

  // AUTO picks the format and searches the quality itself: the Quality mode does not apply.
  await page.getByLabel('Format').selectOption('AUTO');
  await expect(page.getByRole('radio', { name: 'Quality' })).toBeDisabled();
  await expect(stats).toContainText(/(JPEG|WEBP|AVIF) · 600 × 450/);
  await page.getByLabel('Format').selectOption('WEBP');

  await page.getByRole('radio', { name: 'Quality' }).check();
  await page.getByRole('slider', { name: /Quality/ }).fill('60');
  await expect(page.getByTestId('result-quality')).toHaveText('60');
  await settled();
  await expect(page.getByTestId('result-size')).toHaveText(previewSize!);
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  const rows = page.getByTestId('compression-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('WEBP');
  await expect(rows.first()).toContainText('600 × 450');
  await expect(rows.first()).toContainText(previewSize!);
  await expect(rows.first()).toContainText(/\d+% smaller/);
  await expect(rows.first()).toContainText(/0\.\d{4}/);

  // Download: the stored file itself.
  const downloadPromise = page.waitForEvent('download');
  await rows.first().getByRole('link', { name: 'Download WEBP 600×450' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('lake-600w-q60.webp');

  // Compare: slider over one another, side by side, zoom (compare-view.spec.ts measures the boxes).
  const compare = page.getByRole('region', { name: 'Compare' }).getByTestId('compare');
  await compare.scrollIntoViewIfNeeded();
  await expect(compare.getByRole('img', { name: 'Original: lake' })).toBeVisible();
  await expect(compare.getByRole('img', { name: 'Compressed: lake, WEBP' })).toBeVisible();
  await compare.getByLabel('Divider position').fill('30');
  await expect(compare.locator('.divider')).toHaveAttribute('style', /left: calc\(30% - 1px\)/);
  const zoomBefore = Number((await compare.getByTestId('zoom-percent').textContent())!.replace('%', ''));
  await compare.getByRole('button', { name: 'Zoom in' }).click();
  await expect(compare.getByTestId('zoom-percent')).toHaveText(`${Math.round(zoomBefore * 1.5)}%`);
  await compare.getByRole('button', { name: 'Side by side' }).click();
  await expect(compare.getByRole('img', { name: 'Compressed: lake, WEBP' })).toBeVisible();
  const stage = compare.getByRole('group', { name: /^Original\./ });
  const before = await compare.getByRole('img', { name: 'Original: lake' }).boundingBox();
  await stage.focus();
  await page.keyboard.press('ArrowLeft');
  const after = await compare.getByRole('img', { name: 'Original: lake' }).boundingBox();
  expect(after!.x).toBeGreaterThan(before!.x);
  await screenshot(page, 'compare-side-by-side');

  // Delete the compression, then the image.
  await rows.first().getByRole('button', { name: 'Delete WEBP 600×450' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Compression deleted.' })).toBeVisible();
  await expect(rows).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete image' }).click();
  await expect(page).toHaveURL(/\/\?deleted=1/);
  await expect(page.getByRole('status')).toHaveText('Image deleted.');
  await expect(page.getByRole('heading', { name: 'No images yet' })).toBeVisible();
  await expect(page.getByTestId('quota')).toContainText('0 / 10');
});

test('rename and retag an image on its page', async ({ page }) => {
  await signUp(page, uniqueName('renamer'));
  await page.goto('/upload');
  await page
    .getByLabel('Choose images')
    .setInputFiles({ name: 'dunes.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(640, 480, { hue: 35 }) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('link', { name: 'Open dunes' }).click();
  await expect(page).toHaveURL(/\/images\//);
  await waitForIslands(page);
  await page.getByLabel('Name', { exact: true }).fill('Sahara dunes');
  await page.getByRole('textbox', { name: /^Tags/ }).fill('desert, travel, desert');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sahara dunes', level: 1 })).toBeVisible();
  await expect(page.getByRole('textbox', { name: /^Tags/ })).toHaveValue('desert, travel');
  await expect(page.getByRole('list', { name: 'Tags', exact: true }).getByRole('link')).toHaveText(['desert', 'travel']);
  await screenshot(page, 'image-page');
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling on a phone').toBeLessThanOrEqual(390);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'image-page-phone-dark');
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByLabel('Name', { exact: true }).fill('   ');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert')).toHaveText('A name cannot be empty.');
});
