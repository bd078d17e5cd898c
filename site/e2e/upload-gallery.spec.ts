import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName } from './fixtures.ts';

test('upload with a local preview first, a progress bar per file, typed errors; then search, tag and sort the gallery', async ({
  page,
}) => {
  await signUp(page, uniqueName('uploader'));
  await page.getByRole('link', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Upload images' })).toBeVisible();

  const apiCalls: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/graphql') apiCalls.push(request.method());
  });

  const alps = await makePhoto(1600, 1200, { hue: 205 });
  const harbour = await makePhoto(800, 600, { format: 'png', hue: 20 });
  await page.getByLabel('Choose images').setInputFiles([
    { name: 'alps.jpg', mimeType: 'image/jpeg', buffer: alps },
    { name: 'harbour.png', mimeType: 'image/png', buffer: harbour },
  ]);
  const items = page.getByTestId('upload-item');
  await expect(items).toHaveCount(2);
  // Seen locally, with its facts, before anything is sent.
  await expect(items.nth(0).getByTestId('local-facts')).toContainText('1600 × 1200');
  await expect(items.nth(0).getByTestId('local-facts')).toContainText(`${(alps.length / 1024).toFixed(alps.length >= 102400 ? 0 : 1)} KB`);
  await expect(items.nth(1).getByTestId('local-facts')).toContainText('800 × 600');
  await expect(items.nth(0).getByRole('img', { name: 'Preview of alps.jpg' })).toBeVisible();
  expect(
    await items
      .nth(0)
      .getByRole('img')
      .evaluate((img) => (img as HTMLImageElement).src),
  ).toMatch(/^blob:/);
  expect(apiCalls).toEqual([]);

  await expect(items.nth(0).getByLabel('Name')).toHaveValue('alps');
  await items.nth(0).getByLabel('Name').fill('Alps at dawn');
  await items.nth(0).getByLabel('Tags').fill('holiday, mountains');
  await items.nth(1).getByLabel('Tags').fill('holiday');
  await screenshot(page, 'upload-preview');

  // Slow the upload down so the bar has something to show between 0 and 100.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
  await page.evaluate(() => {
    const seen: number[] = ((window as unknown as { progressSeen: number[] }).progressSeen = []);
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('[role=progressbar]')) seen.push(Number(bar.getAttribute('aria-valuenow')));
    }).observe(document.body, { subtree: true, attributes: true, childList: true, attributeFilter: ['aria-valuenow'] });
  });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded.' })).toHaveCount(2, { timeout: 30_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
  expect(
    seen.some((value) => value > 0 && value < 100),
    `progress values seen: ${seen.join(',')}`,
  ).toBe(true);
  await expect(items.nth(0).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await screenshot(page, 'upload-done');

  // Drag and drop adds files the same way; Remove takes one off the list before it is sent.
  const dropped = (await makePhoto(320, 240, { hue: 120 })).toString('base64');
  await page.locator('.dropzone').evaluate((zone, base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, dropped);
  const droppedItem = items.filter({ hasText: 'dropped.jpg' });
  await expect(droppedItem.getByTestId('local-facts')).toContainText('320 × 240');
  await droppedItem.getByRole('button', { name: 'Remove dropped.jpg' }).click();
  await expect(droppedItem).toHaveCount(0);

  // A file that starts like a PNG but is not one passes the check at selection: the API's typed
  // error, in words, next to that file.
  await page.getByLabel('Choose images').setInputFiles({
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('these are my notes, not a picture'),
    ]),
  });
  const notes = items.filter({ hasText: 'notes.png' });
  await expect(notes.getByTestId('local-facts')).toContainText('dimensions unknown');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(notes.getByTestId('upload-error')).toHaveText(/not an image Pixpress can read/);
  await screenshot(page, 'upload-invalid');

  // The gallery, rendered on the server, names the new images.
  const html = await (await page.request.get('/')).text();
  expect(html).toContain('Alps at dawn');
  expect(html).toContain('harbour');

  await page.getByRole('link', { name: 'Gallery', exact: true }).click();
  const tiles = page.getByTestId('tile');
  await expect(tiles).toHaveCount(2);
  await expect(page.getByTestId('quota')).toContainText('2 / 10');
  await expect(tiles.first()).toContainText('harbour');
  await expect(tiles.first()).toContainText('800 × 600');
  await expect(tiles.getByRole('img', { name: 'Alps at dawn' })).toBeVisible();
  await screenshot(page, 'gallery');

  // Search, in the URL.
  await page.getByLabel('Search').fill('ALPS');
  await page.getByLabel('Search').press('Enter');
  await expect(page).toHaveURL(/\?q=ALPS$/);
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first()).toContainText('Alps at dawn');

  // Tag filter (applies on change), keeping the search.
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Search').press('Enter');
  await expect(tiles).toHaveCount(2);
  await page.getByLabel('Tag', { exact: true }).selectOption('mountains');
  await expect(page).toHaveURL(/tag=mountains/);
  await expect(tiles).toHaveCount(1);
  await expect(tiles.first()).toContainText('Alps at dawn');

  // Sort order; the back button returns to the tag filter.
  await page.getByLabel('Tag', { exact: true }).selectOption('');
  await page.getByLabel('Sort', { exact: true }).selectOption('name');
  await expect(page).toHaveURL(/sort=name/);
  await expect(tiles.locator('.name')).toHaveText(['Alps at dawn', 'harbour']);
  await page.getByLabel('Sort', { exact: true }).selectOption('smallest');
  const bySize = alps.length < harbour.length ? ['Alps at dawn', 'harbour'] : ['harbour', 'Alps at dawn'];
  await expect(tiles.locator('.name')).toHaveText(bySize);
  await page.goBack();
  await expect(page).toHaveURL(/sort=name/);
  await expect(tiles.locator('.name')).toHaveText(['Alps at dawn', 'harbour']);

  // A shared URL shows the same view.
  await page.goto('/?tag=holiday&sort=name');
  await expect(page.getByLabel('Tag', { exact: true })).toHaveValue('holiday');
  await expect(tiles).toHaveCount(2);
  await page.goto('/?q=nothing-like-this');
  await expect(page.getByRole('heading', { name: 'Nothing matches' })).toBeVisible();

  // Phone width and dark mode.
  await page.goto('/');
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling on a phone').toBeLessThanOrEqual(390);
  await expect(page.getByRole('button', { name: 'Log out' })).toBeInViewport();
  await screenshot(page, 'gallery-phone');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'gallery-phone-dark');
});
