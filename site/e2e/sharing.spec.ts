// Presets, responsive sets and share links in a real browser: saved presets applied with a click,
// the responsive set dialog and its <picture>, and share links opened by a stranger (a fresh
// browser context without cookies), revoked, and gone.
import type { Browser, Page } from '@playwright/test';
import { makePhoto } from './images.ts';
import { expect, screenshot, signUp, test, uniqueName, waitForIslands } from './fixtures.ts';

async function uploadAndOpen(page: Page, name: string): Promise<void> {
  await page.goto('/upload');
  await page
    .getByLabel('Choose images')
    .setInputFiles({ name: `${name}.jpg`, mimeType: 'image/jpeg', buffer: await makePhoto(1200, 900, { hue: 30 }) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('link', { name: `Open ${name}` }).click();
  await expect(page).toHaveURL(/\/images\//);
  await waitForIslands(page);
}

/** What a stranger gets for a URL: a new browser context, so no cookie of the owner's session. */
async function openAsStranger(browser: Browser, url: string): Promise<{ status: number; type: string | undefined }> {
  const context = await browser.newContext();
  try {
    const response = await (await context.newPage()).goto(url);
    expect(await context.cookies()).toEqual([]);
    return { status: response!.status(), type: response!.headers()['content-type'] };
  } finally {
    await context.close();
  }
}

test('presets: save the current options, apply one with a click, keep them across visits, delete', async ({ page }) => {
  await signUp(page, uniqueName('presetter'));
  await uploadAndOpen(page, 'dunes');
  await page.getByLabel('Width').fill('600');
  await page.getByLabel('Format').selectOption('WEBP');
  await page.getByRole('slider', { name: /Quality/ }).fill('60');
  await page.getByLabel('Preset name').fill('Web 600 WebP');
  await page.getByRole('button', { name: 'Add preset' }).click();
  await expect(page.getByText('Saved “Web 600 WebP”.')).toBeVisible();

  await page.getByLabel('Width').fill('300');
  await page.getByLabel('Format').selectOption('JPEG');
  await page.getByRole('radio', { name: 'Max size' }).check();
  await page.getByRole('button', { name: 'Apply preset Web 600 WebP' }).click();
  await expect(page.getByLabel('Width')).toHaveValue('600');
  await expect(page.getByLabel('Height')).toHaveValue('450');
  await expect(page.getByLabel('Format')).toHaveValue('WEBP');
  await expect(page.getByRole('radio', { name: 'Quality' })).toBeChecked();
  await expect(page.getByRole('slider', { name: /Quality/ })).toHaveValue('60');
  await screenshot(page, 'presets');

  // Stored on the server: still there on the next visit.
  await page.reload();
  await waitForIslands(page);
  await page.getByRole('button', { name: 'Delete preset Web 600 WebP' }).click();
  await expect(page.getByText('Deleted “Web 600 WebP”.')).toBeVisible();
  await page.reload();
  await waitForIslands(page);
  await expect(page.getByText('No presets yet')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Apply preset Web 600 WebP' })).toHaveCount(0);
});

test('presets keep the fit and the edits: a square COVER thumbnail, applied after a reload', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('thumbnailer'));
  await uploadAndOpen(page, 'meadow');
  await page.getByRole('button', { name: 'Keep aspect ratio' }).click();
  await page.getByLabel('Width').fill('400');
  await page.getByLabel('Height').fill('400');
  await page.getByLabel('Fit', { exact: true }).selectOption('COVER');
  await page.getByLabel('Keep in view').selectOption('ATTENTION');
  await page.getByRole('slider', { name: /Saturation/ }).fill('1.5');
  await page.getByLabel('Format').selectOption('AVIF');
  await page.getByLabel('Preset name').fill('Thumbnail 400 square AVIF');
  await page.getByRole('button', { name: 'Add preset' }).click();
  await expect(page.getByText('Saved “Thumbnail 400 square AVIF”.')).toBeVisible();

  // A new visit starts from the form's defaults, so everything below comes from the preset.
  await page.reload();
  await waitForIslands(page);
  await expect(page.getByLabel('Fit', { exact: true })).toHaveValue('INSIDE');
  await page.getByRole('button', { name: 'Apply preset Thumbnail 400 square AVIF' }).click();
  await expect(page.getByLabel('Fit', { exact: true })).toHaveValue('COVER');
  await expect(page.getByLabel('Keep in view')).toHaveValue('ATTENTION');
  await expect(page.getByRole('slider', { name: /Saturation/ })).toHaveValue('1.5');
  await expect(page.getByLabel('Width')).toHaveValue('400');
  await expect(page.getByLabel('Height')).toHaveValue('400');
  await expect(page.getByLabel('Format')).toHaveValue('AVIF');
  // The preview of the 1200×900 photo is the preset's square.
  await expect(page.getByTestId('preview-numbers')).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
  await expect(page.getByTestId('result-stats')).toContainText('AVIF · 400 × 400');
});

test('a responsive set: the dialog with its defaults, the <picture> to copy, files a stranger can load', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signUp(page, uniqueName('responsive'));
  await uploadAndOpen(page, 'canyon');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Make a responsive set' }).click();
  const dialog = page.getByRole('dialog', { name: 'Make a responsive set' });
  await expect(dialog.getByLabel('Widths')).toHaveValue('480, 960, 1600');
  for (const format of ['AVIF', 'WebP', 'JPEG']) await expect(dialog.getByRole('checkbox', { name: format })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'PNG' })).not.toBeChecked();
  await dialog.getByRole('button', { name: 'Make the set' }).click();

  const html = dialog.getByLabel('HTML for your page');
  await expect(html).toHaveValue(/^<picture>/, { timeout: 120_000 });
  const markup = await html.inputValue();
  expect(markup).toContain('<source type="image/avif"');
  expect(markup).toContain('<source type="image/webp"');
  expect(markup).toMatch(
    /<img src="[^"]+" srcset="[^"]+ 480w, [^"]+ 960w, [^"]+ 1200w" sizes="\(max-width: 1200px\) 100vw, 1200px" width="1200" height="900" alt="canyon" loading="lazy" decoding="async">/,
  );
  await screenshot(page, 'responsive-set');
  await dialog.getByRole('button', { name: 'Copy the HTML' }).click();
  await expect(dialog.getByRole('button', { name: 'Copy the HTML' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(markup);

  // Every file of the set, as a visitor of the page the HTML goes into would load it.
  const urls = [...markup.matchAll(/(https?:\/\/[^ "]+) \d+w/g)].map((match) => match[1]!);
  expect(urls).toHaveLength(9);
  const avif = await openAsStranger(browser, urls[0]!);
  expect(avif).toEqual({ status: 200, type: 'image/avif' });
  expect(await openAsStranger(browser, urls.at(-1)!)).toEqual({ status: 200, type: 'image/jpeg' });

  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('heading', { name: /Compressions 9 \/ 10/ })).toBeVisible();
  await expect(page.getByTestId('compression-row')).toHaveCount(9);
});

test('share links: share a compression and the original, open them without an account, revoke, gone', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signUp(page, uniqueName('sharer'));
  await uploadAndOpen(page, 'harbour');
  await page.getByRole('button', { name: 'Compress', exact: true }).click();
  await expect(page.getByTestId('compression-row')).toHaveCount(1);
  const row = page.getByTestId('compression-row').first();
  await row.getByRole('button', { name: /^Share / }).click();
  const compressionLink = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
  expect(compressionLink).toMatch(/^http:\/\/[^/]+\/s\/[A-Za-z0-9_-]{43}$/);
  expect(await openAsStranger(browser, compressionLink)).toEqual({ status: 200, type: 'image/webp' });

  await page.getByRole('button', { name: 'Share the original' }).click();
  const originalLink = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
  expect(originalLink).not.toBe(compressionLink);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(originalLink);
  expect(await openAsStranger(browser, originalLink)).toEqual({ status: 200, type: 'image/jpeg' });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shared links' }).click();
  await expect(page).toHaveURL(/\/shares$/);
  const rows = page.getByTestId('share-row');
  await expect(rows).toHaveCount(2);
  // Newest first: the original's link, then the compression's.
  await expect(rows.nth(0)).toContainText('Original');
  await expect(rows.nth(0).getByRole('textbox')).toHaveValue(originalLink);
  await expect(rows.nth(1).getByRole('textbox')).toHaveValue(compressionLink);
  await screenshot(page, 'shared-links');

  await rows
    .nth(0)
    .getByRole('button', { name: /^Revoke/ })
    .click();
  await expect(page.getByText('Link revoked.')).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0).getByRole('textbox')).toHaveValue(compressionLink);
  expect((await openAsStranger(browser, originalLink)).status).toBe(404);
  expect((await openAsStranger(browser, compressionLink)).status).toBe(200);
});
