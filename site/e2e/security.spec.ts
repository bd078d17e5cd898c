// Web hygiene in a real browser (issue 12): the pages' CSP holds with no violations (the fixture
// fails a test on any console error, and Chromium reports every violation as one), a `next`
// crafted to leave the site does not, GraphiQL runs without asking any other host, and an
// original downloads under its real extension.
import { makePhoto } from './images.ts';
import { expect, signUp, test, uniqueName } from './fixtures.ts';

test('log-in sends a crafted next back home, on this origin', async ({ page, baseURL }) => {
  for (const next of ['/\t/evil.example', '//evil.example/', '/\\evil.example']) {
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Username').fill('Picky');
    await page.getByLabel('Password').fill('test');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(`${baseURL}/`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
  }
});

test('pages carry a CSP with frame-ancestors and no unsafe-inline script, and cannot be framed', async ({ page }) => {
  const response = await page.goto('/login');
  const csp = response!.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(response!.headers()['x-frame-options']).toBe('DENY');
});

test('GraphiQL loads everything from this server', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['blob:', 'data:'].includes(url.protocol) && url.origin !== origin) elsewhere.push(request.url());
  });
  await page.goto('/graphql');
  await expect(page.locator('.graphiql-container').first()).toBeVisible({ timeout: 30_000 });
  // The editor (Monaco, its workers started from blob: URLs under the CSP) has rendered.
  await expect(page.locator('.view-lines').first()).toContainText('Welcome to Pixpress GraphQL');
  expect(elsewhere).toEqual([]);
});

test('an original downloads with the extension of its real format', async ({ page }) => {
  await signUp(page, uniqueName('downloader'));
  await page.goto('/upload');
  await page
    .getByLabel('Choose images')
    .setInputFiles([{ name: 'holiday.png', mimeType: 'image/jpeg', buffer: await makePhoto(320, 240) }]);
  const item = page.getByTestId('upload-item');
  await item.getByLabel('Name').fill('Sahara dunes');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded.' })).toHaveCount(1, { timeout: 30_000 });
  await page.goto('/');
  await page
    .getByRole('link', { name: /Sahara dunes/ })
    .first()
    .click();
  const link = page.getByRole('link', { name: 'Download original' });
  await expect(link).toHaveAttribute('download', 'Sahara dunes.jpg');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('Sahara dunes.jpg');
});
