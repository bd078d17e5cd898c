// Browser tests: Debian's Chromium (never a downloaded one) against the real one-process server
// (node server.ts, the built site) on a temp data folder and a free port, see e2e/global-setup.ts.
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './e2e',
  testMatch: '*.spec.ts',
  outputDir: '../test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  // Two cores shared by everything: one browser at a time, specs in file order.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    ['html', { outputFolder: '../playwright-report', open: 'never' }],
    // In CI, a JSON report too, which .ci/run counts for its closing "N passed, N failed" line.
    ...(process.env.CI ? [['json', { outputFile: '../test-results/e2e.json' }] as const] : []),
  ],
  use: {
    browserName: 'chromium',
    baseURL: process.env.PIXPRESS_E2E_URL,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    viewport: { width: 1280, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
