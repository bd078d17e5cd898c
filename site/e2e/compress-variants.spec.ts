// Compress stores what the preview showed without a second search (the preview's ticket), stays
// on the page with the options as they were, and the new compression appears in the list and the
// compare view; a second variant needs only the option that differs.
import { uploadImage } from './api.ts';
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName, waitForIslands } from './fixtures.ts';

test('compress keeps the options, stores the previewed result with its ticket, and lists it', async ({ page }) => {
  test.setTimeout(150_000);
  await signUp(page, uniqueName('variant'));
  const imageId = await uploadImage(page.request, 'quay', await makePhoto(1600, 1000, { hue: 15 }));
  await page.goto(`/images/${imageId}`);
  const numbers = page.getByTestId('preview-numbers');
  await expect(numbers).toHaveAttribute('data-stale', 'false');

  await page.getByLabel('Width').fill('1000');
  await page.getByLabel('Format').selectOption('WEBP');
  await page.getByRole('radio', { name: 'Target SSIM' }).check();
  await expect(page.getByTestId('search-progress')).toBeVisible();
  await expect(numbers).toHaveAttribute('data-stale', 'false', { timeout: 60_000 });
  const previewSize = await page.getByTestId('result-size').textContent();
  const previewQuality = await page.getByTestId('result-quality').textContent();

  const sent: Array<{ operationName?: string; variables?: Record<string, unknown> }> = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/graphql' && request.method() === 'POST') sent.push(request.postDataJSON());
  });
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();

  // One mutation, carrying the preview's ticket; no new preview search.
  const mutations = sent.filter((body) => body.operationName === 'CompressImage');
  expect(mutations).toHaveLength(1);
  expect(mutations[0]!.variables!.ticket).toMatch(/^[\w-]+\.[\w-]+$/);
  expect(sent.filter((body) => body.operationName === 'PreviewCompression')).toHaveLength(0);
  expect(navigations, 'no reload').toEqual([]);

  // The options are as they were, and the list shows what the preview showed.
  await expect(page.getByLabel('Width')).toHaveValue('1000');
  await expect(page.getByLabel('Format')).toHaveValue('WEBP');
  await expect(page.getByRole('radio', { name: 'Target SSIM' })).toBeChecked();
  const rows = page.getByTestId('compression-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('1000 × 625');
  await expect(rows.first()).toContainText(previewSize!);
  await expect(rows.first().getByRole('cell').nth(5)).toHaveText(previewQuality!);
  const compare = page.getByRole('region', { name: 'Compare' }).getByTestId('compare');
  await expect(compare.getByRole('img', { name: 'Compressed: quay, WEBP' })).toBeVisible();
  await expect(page.getByText('1 / 10 stored')).toBeVisible();

  // A second variant: only the format changes.
  await page.getByLabel('Format').selectOption('JPEG');
  await expect(numbers).toHaveAttribute('data-stale', 'false', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(rows).toHaveCount(2);
  await expect(page.getByLabel('Width')).toHaveValue('1000');
  await expect(page.getByRole('radio', { name: 'Target SSIM' })).toBeChecked();
  await expect(compare.getByRole('img', { name: 'Compressed: quay, JPEG' })).toBeVisible();
  await expect(page.getByText('2 / 10 stored')).toBeVisible();
  // The swapped-in compare view is a live island again.
  await waitForIslands(page);
  await compare.getByRole('button', { name: 'Side by side' }).click();
  await expect(compare.getByRole('group', { name: /^JPEG\./ })).toBeVisible();
  expect(navigations, 'no reload').toEqual([]);
});
