// A preview whose client went away stops: the image job's slot is freed within a trial instead of
// running the whole search for nobody (the site's Cancel button and every superseded preview).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW, storeImage } from './compression-helpers.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';

const SLOW_SEARCH = { format: 'WEBP', targetSsim: 0.995, width: 1600 };

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

describe('an aborted preview', () => {
  let server: TestServer;
  let token: string;
  let imageId: string;
  beforeAll(async () => {
    server = await startTestServer({ PREVIEW_TIMEOUT_MS: '120000', IMAGE_JOB_TIMEOUT_MS: '120000', IMAGE_CONCURRENCY: '1' });
    token = await server.signUp();
    imageId = await storeImage(server, token, await makeImage(2400, 1600));
  }, 60_000);
  afterAll(() => server?.close());

  it('gives up its running slot, and the search it would have finished takes far longer', async () => {
    const queue = server.app.services.imageQueue;
    const started = performance.now();
    const finished = await server.gql(PREVIEW, { imageId, options: SLOW_SEARCH }, token);
    const fullSearchMs = performance.now() - started;
    expect(finished.data?.previewCompression.__typename).toBe('CompressedFile');

    const controller = new AbortController();
    const request = fetch(`${server.url}/graphql`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: PREVIEW, variables: { imageId, options: SLOW_SEARCH } }),
    }).catch((error: unknown) => error);
    await until(() => queue.running === 1, 10_000);
    controller.abort();
    expect(((await request) as Error).name).toBe('AbortError');
    const stoppedMs = await until(() => queue.running === 0, fullSearchMs);
    // It stops between two trials; the whole search is many trials.
    expect(stoppedMs).toBeLessThan(fullSearchMs / 2);
  }, 180_000);

  it('leaves the queue while it waits, without ever running', async () => {
    const queue = server.app.services.imageQueue;
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const requests = controllers.map((controller) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        signal: controller.signal,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: PREVIEW, variables: { imageId, options: SLOW_SEARCH } }),
      }).catch((error: unknown) => error),
    );
    await until(() => queue.running + queue.waiting === controllers.length, 10_000);
    expect(queue.waiting).toBeGreaterThan(0);
    for (const controller of controllers) controller.abort();
    await Promise.all(requests);
    await until(() => queue.waiting === 0, 2_000);
    await until(() => queue.running === 0, 60_000);
  }, 120_000);
});
