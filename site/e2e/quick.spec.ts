import { makePhoto } from './images.ts';
import { expect, logIn, screenshot, test } from './fixtures.ts';

test('the one-shot page: pick, see, compress, download; nothing is stored', async ({ page }) => {
  await logIn(page, 'Picky', 'test');
  await expect(page).toHaveURL(/\/$/);
  const quotaBefore = await page.getByTestId('quota').textContent();
  await page.getByRole('link', { name: 'Quick compress' }).click();
  await expect(page.getByRole('heading', { name: 'Quick compress' })).toBeVisible();

  const photo = await makePhoto(2400, 1600, { hue: 260 });
  await page.getByLabel('Choose an image').setInputFiles({ name: 'big-sky.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(page.getByRole('img', { name: 'Original: big-sky.jpg' })).toBeVisible();
  await expect(page.locator('figcaption').first()).toContainText('2400 × 1600');
  // A 2400 px photo gets a web-size suggestion, aspect kept.
  await expect(page.getByLabel('Width')).toHaveValue('1600');
  await expect(page.getByLabel('Height')).toHaveValue('1067');
  await page.getByLabel('Width').fill('800');
  await expect(page.getByLabel('Height')).toHaveValue('533');
  await page.getByLabel('Format').selectOption('JPEG');
  await page.getByRole('button', { name: 'Compress', exact: true }).click();

  await expect(page.getByTestId('result-stats')).toContainText('JPEG · 800 × 533');
  await expect(page.getByTestId('result-savings')).toHaveText(/\d+% smaller/);
  await expect(page.getByRole('img', { name: 'Compressed: big-sky.jpg' })).toBeVisible();
  await screenshot(page, 'quick-compress');

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('big-sky.jpg');
  const saved = await download.path();
  const { default: sharp } = await import('sharp');
  const meta = await sharp(saved).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 800, 533]);

  // Nothing stored: the quota is what it was.
  await page.goto('/');
  await expect(page.getByTestId('quota')).toHaveText(quotaBefore!);

  // Not an image: the typed error in words.
  await page.goto('/compress');
  await page.getByLabel('Choose an image').setInputFiles({ name: 'readme.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('plain text') });
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(page.getByTestId('quick-error')).toHaveText(/not an image Pixpress can read/);
});
