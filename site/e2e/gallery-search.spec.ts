// The gallery's smaller promises: search finds tags, tags ignore case, the Sort box tells the
// truth after Back, the uploader refuses what it cannot upload when it is chosen, and each
// compression downloads under its own name.
import { compressImage } from './api.ts';
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName } from './fixtures.ts';

test('the uploader refuses a text file and a text file named like an image when they are chosen', async ({ page }) => {
  await signUp(page, uniqueName('chooser'));
  await page.goto('/upload');
  const apiCalls: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/graphql') apiCalls.push(request.url());
  });
  await page.getByLabel('Choose images').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('shopping: bread, milk') },
    { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('these are my notes, not a picture') },
    { name: 'real.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(320, 240) },
  ]);
  await expect(page.getByTestId('upload-item')).toHaveCount(1);
  await expect(page.getByTestId('upload-item')).toContainText('real.jpg');
  await expect(page.getByRole('alert').filter({ hasText: 'not added' }).getByRole('listitem')).toHaveText([
    'notes.txt is not a JPEG, PNG, WebP, AVIF or GIF image, so it was not added.',
    'fake.png is named like an image but its contents are not JPEG, PNG, WebP, AVIF or GIF, so it was not added.',
  ]);
  await expect(page.getByTestId('room')).toHaveText('You can add 10 more images (0 / 10 used). 9 more fit beside the 1 chosen.');
  expect(apiCalls).toEqual([]);
});

test('tags ignore case and search finds them; the Sort box shows the URL’s order after Back', async ({ page }) => {
  await signUp(page, uniqueName('tagger'));
  await page.goto('/upload');
  await page.getByLabel('Choose images').setInputFiles([
    { name: 'bench.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(320, 240, { hue: 30 }) },
    { name: 'table.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(400, 300, { hue: 60 }) },
    { name: 'sea.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(200, 150, { hue: 200 }) },
  ]);
  const items = page.getByTestId('upload-item');
  await items.nth(0).getByLabel('Tags').fill('Wood, garden');
  await items.nth(1).getByLabel('Tags').fill('WOOD');
  await items.nth(2).getByLabel('Tags').fill('water');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded.' })).toHaveCount(3);

  await page.goto('/');
  const tiles = page.getByTestId('tile');
  const tagBox = page.getByLabel('Tag', { exact: true });
  await expect(tagBox.locator('option')).toHaveText(['All tags', 'wood (2)', 'garden (1)', 'water (1)']);
  // "oo" is in no image's name, only in the tag two of them share.
  await page.getByLabel('Search').fill('OO');
  await page.getByLabel('Search').press('Enter');
  await expect(tiles.locator('.name')).toHaveText(['table', 'bench']);
  await page.goto('/?tag=Wood');
  await expect(tagBox).toHaveValue('wood');
  await expect(tiles.locator('.name')).toHaveText(['table', 'bench']);

  await page.goto('/');
  const sortBox = page.getByLabel('Sort', { exact: true });
  await sortBox.selectOption('name');
  await expect(page).toHaveURL(/\?sort=name$/);
  await sortBox.selectOption('largest');
  await expect(page).toHaveURL(/\?sort=largest$/);
  await page.goBack();
  await expect(page).toHaveURL(/\?sort=name$/);
  await expect(tiles.locator('.name')).toHaveText(['bench', 'sea', 'table']);
  await expect(sortBox).toHaveValue('name');
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect(sortBox).toHaveValue('newest');
});

test('each compression of an image downloads under its own name', async ({ page }) => {
  await signUp(page, uniqueName('saver'));
  await page.goto('/upload');
  await page
    .getByLabel('Choose images')
    .setInputFiles({ name: 'pier.jpg', mimeType: 'image/jpeg', buffer: await makePhoto(1000, 750, { hue: 180 }) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('link', { name: 'Open pier' }).click();
  const imageId = new URL(page.url()).pathname.split('/').pop()!;
  for (const options of [
    { format: 'WEBP', width: 600, quality: 70 },
    { format: 'WEBP', width: 300, quality: 70 },
    { format: 'WEBP', width: 600, quality: 70 },
  ]) {
    await compressImage(page.request, imageId, options);
  }
  await page.goto(`/images/${imageId}`);
  const links = page.getByRole('link', { name: /^Download WEBP/ });
  await expect(links).toHaveCount(3);
  const names: string[] = [];
  for (const link of await links.all()) {
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    names.push(download.suggestedFilename());
  }
  expect(names.sort()).toEqual(['pier-300w-q70.webp', 'pier-600w-q70 (2).webp', 'pier-600w-q70.webp']);
});
