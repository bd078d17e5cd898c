import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName } from './fixtures.ts';

test('the quota stops the eleventh upload with a clear message; the gallery pages through the ten', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('collector'));
  await page.goto('/upload');
  const files = await Promise.all(
    Array.from({ length: 11 }, async (_, index) => ({
      name: `shot-${String(index + 1).padStart(2, '0')}.jpg`,
      mimeType: 'image/jpeg',
      buffer: await makePhoto(160, 120, { hue: (index * 33) % 360 }),
    })),
  );
  // The eleventh is refused when chosen: the quota has room for ten.
  await page.getByLabel('Choose images').setInputFiles(files);
  await expect(page.getByTestId('upload-item')).toHaveCount(10);
  await expect(page.getByTestId('refusals')).toHaveText('shot-11.jpg was not added: your quota has room for only 10 more.');
  await expect(page.getByTestId('room')).toHaveText('You can add 10 more images (0 / 10 used). No more fit beside the 10 chosen.');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded.' })).toHaveCount(10, { timeout: 60_000 });
  // The header and the uploader follow the quota without a reload.
  await expect(page.getByTestId('quota')).toContainText('10 / 10');
  await expect(page.getByTestId('room')).toHaveText('Your quota is full (10 / 10 images): delete an image to upload another.');
  await screenshot(page, 'upload-quota');

  await page.goto('/?sort=name');
  await expect(page.getByTestId('quota')).toContainText('10 / 10');
  await expect(page.getByText('Your image quota is full')).toBeVisible();
  const names = page.getByTestId('tile').locator('.name');
  await expect(names).toHaveText(['shot-01', 'shot-02', 'shot-03', 'shot-04', 'shot-05', 'shot-06', 'shot-07', 'shot-08']);
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/sort=name&after=/);
  await expect(names).toHaveText(['shot-09', 'shot-10']);
  await expect(page.getByRole('link', { name: 'Next page' })).toHaveCount(0);
  await page.goBack();
  await expect(names).toHaveCount(8);
  await page.goForward();
  await page.getByRole('link', { name: 'First page' }).click();
  await expect(page).toHaveURL(/\?sort=name$/);
  await expect(names).toHaveCount(8);
  // A cursor that was not issued here sends the visitor to the first page instead of an error.
  await page.goto('/?sort=name&after=bogus');
  await expect(page).toHaveURL(/\?sort=name$/);
});
