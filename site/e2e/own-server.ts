// A test with its own server, for settings the shared one must not have (a short URL TTL, a short
// preview time limit): started once per worker, and every page and request of the test goes there.
import { startServer, type RunningServer } from './global-setup.ts';
import { test } from './fixtures.ts';

export function testWithOwnServer(logName: string, settings: Record<string, string>) {
  return test.extend<object, { ownServer: RunningServer }>({
    ownServer: [
      async ({}, use) => {
        const server = await startServer(logName, settings);
        await use(server);
        await server.stop();
      },
      { scope: 'worker', timeout: 60_000 },
    ],
    baseURL: async ({ ownServer }, use) => use(ownServer.url),
  });
}
