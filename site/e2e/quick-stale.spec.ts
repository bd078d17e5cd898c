// Quick compress: a result whose options have since changed is dimmed and says so, until Compress
// makes one for the new options.
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName } from './fixtures.ts';

test('a quick result is marked out of date when the options change', async ({ page }) => {
  await signUp(page, uniqueName('quick'));
  await page.goto('/compress');
  await page
    .getByLabel('Choose an image')
    .setInputFiles({ name: 'dock.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(1200, 800, { hue: 90 }) });
  await expect(page.getByLabel('Width')).toHaveValue('1200');
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  const numbers = page.getByTestId('quick-numbers');
  await expect(page.getByTestId('result-quality')).toHaveText('80');
  await expect(numbers).toHaveAttribute('data-stale', 'false');
  await expect(numbers).toHaveCSS('opacity', '1');

  await page.getByRole('slider', { name: /Quality/ }).fill('40');
  await expect(numbers).toHaveAttribute('data-stale', 'true');
  await expect(numbers).toHaveCSS('opacity', '0.45');
  await expect(page.getByRole('status').filter({ hasText: 'The options changed since this result' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Download (earlier options)' })).toBeVisible();

  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(page.getByTestId('result-quality')).toHaveText('40');
  await expect(numbers).toHaveAttribute('data-stale', 'false');
  await expect(page.getByRole('link', { name: 'Download', exact: true })).toBeVisible();
});
