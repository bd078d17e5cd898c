// Signed links outlive their TTL on an open page: on a server whose links last 10 s, links are
// renewed before they expire, and a picture whose link did expire is loaded again with a fresh one.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { compressImage, uploadImage } from './api.ts';
import { makePhoto } from './images.ts';
import { expect, signUp, uniqueName, waitForIslands } from './fixtures.ts';
import { testWithOwnServer } from './own-server.ts';

const URL_TTL_SECONDS = 10;
const test = testWithOwnServer('e2e-server-short-links', { URL_TTL_SECONDS: String(URL_TTL_SECONDS) });

function watchFiles(page: Page) {
  const responses: Array<{ url: string; status: number }> = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/files/')) responses.push({ url: response.url(), status: response.status() });
  });
  return {
    statusOf: (link: string | null) =>
      responses.filter((response) => response.url === new URL(link!, page.url()).href).map((response) => response.status),
    refusals: () => responses.filter((response) => response.status === 403).length,
  };
}

test('links are renewed before they expire, and an expired one is replaced when its picture fails', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('linker'));
  const imageId = await uploadImage(page.request, 'pier', await makePhoto(900, 600, { hue: 240 }));
  const older = await compressImage(page.request, imageId, { format: 'JPEG', quality: 60 });
  const newer = await compressImage(page.request, imageId, { format: 'WEBP', quality: 50, width: 450 });

  // Left open for longer than a TTL: a download and another compression work at once, and no
  // picture had to fail first.
  const files = watchFiles(page);
  await page.goto(`/images/${imageId}`);
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));
  const compare = page.getByRole('region', { name: 'Compare' }).getByTestId('compare');
  const compressed = compare.getByRole('img', { name: /^Compressed: pier/ });
  await expect.poll(() => compressed.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(450);
  const firstLink = await page.getByRole('link', { name: 'Download JPEG 900×600' }).getAttribute('href');
  await page.waitForTimeout((URL_TTL_SECONDS + 2) * 1000);
  expect((await page.request.get(firstLink!)).status(), 'the first link has expired').toBe(403);
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download JPEG 900×600' }).click();
  const download = await downloading;
  expect(await download.failure()).toBeNull();
  const bytes = await readFile((await download.path())!);
  expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
  await compare.getByLabel('Compare with').selectOption(older);
  await expect(compressed).toHaveAccessibleName('Compressed: pier, JPEG');
  await expect.poll(() => compressed.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(900);
  expect(files.refusals()).toBe(0);
  expect(navigations, 'no reload').toEqual([]);

  // A page whose timers did not run (a frozen clock stands in for a sleeping laptop): the expired
  // link fails once (403), and the fresh link it asks for then loads (200), without a reload.
  const frozen = await browser.newContext({ baseURL, storageState: await page.context().storageState() });
  const sleeper = await frozen.newPage();
  const sleeperFiles = watchFiles(sleeper);
  await sleeper.clock.install();
  await sleeper.goto(`/images/${imageId}`);
  await waitForIslands(sleeper);
  await sleeper.clock.pauseAt(Date.now() + 1000);
  const sleepingCompare = sleeper.getByRole('region', { name: 'Compare' }).getByTestId('compare');
  const sleepingCompressed = sleepingCompare.getByRole('img', { name: /^Compressed: pier/ });
  await expect.poll(() => sleepingCompressed.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(450);
  const staleJpeg = await sleeper.getByRole('link', { name: 'Download JPEG 900×600' }).getAttribute('href');
  await sleeper.waitForTimeout((URL_TTL_SECONDS + 2) * 1000);
  await sleepingCompare.getByLabel('Compare with').selectOption(older);
  await expect.poll(() => sleepingCompressed.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(900);
  const freshJpeg = await sleepingCompressed.getAttribute('src');
  expect(freshJpeg).not.toBe(staleJpeg);
  expect(sleeperFiles.statusOf(staleJpeg)).toEqual([403]);
  expect(sleeperFiles.statusOf(freshJpeg)).toEqual([200]);
  // The download links were renewed with the pictures.
  expect(await sleeper.getByRole('link', { name: 'Download JPEG 900×600' }).getAttribute('href')).toBe(freshJpeg);
  await sleepingCompare.getByLabel('Compare with').selectOption(newer);
  await expect.poll(() => sleepingCompressed.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(450);
  await frozen.close();
});
