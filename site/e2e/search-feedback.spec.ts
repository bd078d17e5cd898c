// A slow preview search says what it does and for how long, keeps Compress disabled and the old
// numbers dimmed, can be cancelled (the request is aborted), and its errors speak of the mode.
import type { Page } from '@playwright/test';
import { uploadImage } from './api.ts';
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName } from './fixtures.ts';
import { testWithOwnServer } from './own-server.ts';

async function openNewImage(page: Page, width: number, height: number): Promise<void> {
  await signUp(page, uniqueName('searcher'));
  const imageId = await uploadImage(page.request, 'harbour', await makePhoto(width, height, { hue: 170 }));
  await page.goto(`/images/${imageId}`);
  // The first preview (WebP at quality 80) has arrived: its numbers are current.
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
  await expect(page.getByTestId('result-stats')).toBeVisible();
}

test('a running search shows what it does and its time, dims the old numbers, and can be cancelled', async ({ page }) => {
  test.setTimeout(120_000);
  await openNewImage(page, 2400, 1600);
  // At full width the AVIF search below runs for seconds; at the panel's default 1600 px it can
  // end in about a second, before there is anything to watch or cancel.
  await page.getByLabel('Width').fill('2400');
  // That preview (WebP at full width) has arrived, so nothing else is in flight when the search starts.
  await expect(page.getByTestId('result-stats')).toContainText('2400 × 1600');
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
  const compress = page.getByRole('button', { name: 'Compress', exact: true });
  await expect(compress).toBeEnabled();

  const aborted: string[] = [];
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).pathname === '/graphql') aborted.push(request.failure()?.errorText ?? '');
  });
  await page.getByLabel('Format').selectOption('AVIF');
  await page.getByRole('radio', { name: 'Target SSIM' }).check();
  const progress = page.getByTestId('search-progress');
  await expect(progress).toContainText('Searching AVIF for the smallest file with SSIM 0.98');
  await expect(compress).toBeDisabled();
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByTestId('preview-numbers')).toHaveCSS('opacity', '0.45');
  // The seconds count up while it runs.
  await expect(page.getByTestId('search-elapsed')).toHaveText('1 s', { timeout: 5_000 });

  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Preview cancelled' })).toBeVisible();
  await expect.poll(() => aborted).toEqual(['net::ERR_ABORTED']);
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'true');

  // An invalid option: the error, and the numbers of the last preview dimmed, Compress disabled.
  await page.getByLabel('Format').selectOption('WEBP');
  await page.getByRole('radio', { name: 'Quality' }).check();
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false');
  await page.getByLabel('Width').fill('-5');
  await expect(page.getByTestId('panel-error')).toHaveText('Width must be a whole number of pixels.');
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'true');
  await expect(compress).toBeDisabled();

  // A size budget nothing fits: the advice is a larger budget, not "a lower target".
  await page.getByLabel('Width').fill('1600');
  await page.getByRole('radio', { name: 'Max size' }).check();
  await page.getByLabel('Max size (KB)').fill('2');
  await expect(page.getByTestId('panel-error')).toContainText('larger size budget');
  await expect(page.getByTestId('panel-error')).not.toContainText('lower target');
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'true');
  await expect(compress).toBeDisabled();
});

const impatient = testWithOwnServer('e2e-server-short-preview-limit', { PREVIEW_TIMEOUT_MS: '1500' });

impatient('a search stopped at the time limit says so and what to try, not "the server is busy"', async ({ page, consoleErrors }) => {
  test.setTimeout(120_000);
  await openNewImage(page, 2400, 1600);
  // At full width (2.25x the pixels of the panel's default 1600 px) the AVIF target search cannot
  // finish within the 1.5 s limit; at 1600 px it once did, on a quiet machine, and the test failed.
  await page.getByLabel('Width').fill('2400');
  await page.getByLabel('Format').selectOption('AVIF');
  await page.getByRole('radio', { name: 'Target SSIM' }).check();
  const error = page.getByTestId('panel-error');
  await expect(error).toContainText('time limit');
  await expect(error).toContainText('Quality mode');
  await expect(error).not.toContainText('busy');
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'true');
  await expect(page.getByRole('button', { name: 'Compress', exact: true })).toBeDisabled();
  // The API answers a timed-out job with HTTP 503, which Chromium logs; that answer is the subject here.
  const expected = consoleErrors.filter((message) => message.includes('status of 503') && message.includes('/graphql'));
  expect(expected.length).toBeGreaterThan(0);
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((message) => !expected.includes(message)));
});
