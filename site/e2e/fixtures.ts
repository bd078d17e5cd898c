// Shared test setup: every page fails its test on a JavaScript console error or an uncaught
// exception, and helpers for signing up and for the screenshots kept as artifacts.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type Page } from '@playwright/test';
import { makePhoto } from './images.ts';

export { expect };

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: async ({}, use) => {
    await use([]);
  },
  page: async ({ page, consoleErrors }, use) => {
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on('dialog', (dialog) => void dialog.accept());
    // A page's islands take a moment to hydrate after load; input given before then (a file set
    // on the upload island's input, say) reaches no handler and is lost. Every navigation by
    // goto waits until Astro has hydrated each island (it drops the island's `ssr` attribute).
    const goto = page.goto.bind(page);
    page.goto = async (url, options) => {
      const response = await goto(url, options);
      await waitForIslands(page);
      return response;
    };
    await use(page);
    expect(consoleErrors, 'JavaScript console errors').toEqual([]);
  },
});

/** Resolves once every Solid island on the page has hydrated. */
export async function waitForIslands(page: Page): Promise<void> {
  await expect(page.locator('astro-island[ssr]')).toHaveCount(0);
}

/** A unique username per test run, so specs never see each other's images. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export async function signUp(page: Page, username: string, password = 'correct horse battery'): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/$/);
}

/**
 * Uploads one JPEG photo per name through the upload page (`name.jpg`, each a different hue) and
 * waits until every one says it is uploaded.
 */
export async function uploadPhotos(
  page: Page,
  names: string[],
  { width = 320, height = 240, hueStep = 90, timeout }: { width?: number; height?: number; hueStep?: number; timeout?: number } = {},
): Promise<void> {
  await page.goto('/upload');
  await page.getByLabel('Choose images').setInputFiles(
    await Promise.all(
      names.map(async (name, index) => ({
        name: `${name}.jpg`,
        mimeType: 'image/jpeg',
        buffer: await makePhoto(width, height, { hue: index * hueStep }),
      })),
    ),
  );
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Uploaded.' })).toHaveCount(names.length, { timeout });
}

export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** A full-page screenshot in test-results/screenshots/, attached to the test's report too. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}.png`;
  // From the top, so the sticky header sits where it belongs in a full-page capture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  await test.info().attach(name, { path, contentType: 'image/png' });
}
