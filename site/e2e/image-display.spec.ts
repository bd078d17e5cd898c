// The image page shows a display rendition (WebP, at most 1600 px wide), not the original: what a
// phone fetches for an 8 MP photo is the rendition's bytes. The original stays one click away.
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName } from './fixtures.ts';

test('the image page of an 8 MP photo transfers the display rendition, not the original', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('looker'));
  const photo = await makePhoto(3264, 2448, { hue: 100 });
  await page.goto('/upload');
  await page.getByLabel('Choose images').setInputFiles({ name: 'meadow.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const open = page.getByRole('link', { name: 'Open meadow' });
  await expect(open).toBeVisible({ timeout: 60_000 });
  const href = await open.getAttribute('href');

  const files: Array<{ path: string; bytes: number }> = [];
  page.on('response', async (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith('/files/')) files.push({ path, bytes: (await response.body()).length });
  });
  await page.goto(href!);
  const hero = page.locator('.hero img');
  await expect.poll(() => hero.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth)).toBe(1600);
  await page.waitForLoadState('networkidle');

  const imageId = href!.split('/').pop()!;
  const original = files.filter((file) => file.path.endsWith(`/${imageId}.jpg`));
  const renditions = files.filter((file) => file.path.endsWith(`/renditions/${imageId}.webp`));
  expect(original, 'the original is not fetched').toEqual([]);
  expect(renditions.length).toBeGreaterThan(0);
  const renditionBytes = renditions[0]!.bytes;
  expect(renditionBytes).toBeLessThan(photo.length / 4);
  // Everything the page fetched from the file store, each URL once, is the rendition.
  const distinct = new Map(files.map((file) => [file.path, file.bytes]));
  expect([...distinct.values()].reduce((sum, bytes) => sum + bytes, 0)).toBe(renditionBytes);

  // One click away: the original, byte for byte.
  const viewOriginal = page.getByRole('link', { name: 'View original' });
  const originalResponse = await page.request.get((await viewOriginal.getAttribute('href'))!);
  expect(Buffer.from(await originalResponse.body()).equals(photo)).toBe(true);
});
