// Quick compress: the result follows the options by itself (a live preview, no Compress needed);
// until the new one arrives, the old one is dimmed and says so.
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName } from './fixtures.ts';

test('a quick result follows the options, dimmed while the new one is on its way', async ({ page }) => {
  await signUp(page, uniqueName('quick'));
  await page.goto('/compress');
  await page
    .getByLabel('Choose an image')
    .setInputFiles({ name: 'dock.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(1200, 800, { hue: 90 }) });
  await expect(page.getByLabel('Width')).toHaveValue('1200');
  // Nothing pressed: the preview for the suggested options comes by itself.
  const numbers = page.getByTestId('quick-numbers');
  await expect(page.getByTestId('result-quality')).toHaveText('80');
  await expect(page.getByTestId('result-stats')).toContainText('1200 × 800');
  await expect(numbers).toHaveAttribute('data-stale', 'false');
  await expect(numbers).toHaveCSS('opacity', '1');

  await page.getByRole('slider', { name: /Quality/ }).fill('40');
  await expect(numbers).toHaveAttribute('data-stale', 'true');
  await expect(page.getByRole('status').filter({ hasText: 'Updating the preview for the new options' })).toBeVisible();
  await expect(page.getByTestId('result-quality')).toHaveText('40');
  await expect(numbers).toHaveAttribute('data-stale', 'false');

  await page.getByLabel('Width').fill('600');
  await expect(page.getByTestId('result-stats')).toContainText('600 × 400');
  await expect(numbers).toHaveAttribute('data-stale', 'false');
  await expect(page.getByRole('link', { name: 'Download', exact: true })).toBeVisible();
});
