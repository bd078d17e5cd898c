// Quotas under parallel requests, and the image queue's limits: a full queue refuses, a job over
// its time limit is stopped and reported, and the bound on running jobs holds meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageJobTimeoutError, ImageQueue, QueueFullError } from '../imaging/queue.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { compressionCount, scratchFiles, startTestServer, storedKeys, type TestServer } from './harness.ts';
import { compressStored, preview, storeImage } from './compression-helpers.ts';

describe('quotas', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ QUOTA_COMPRESSIONS_PER_IMAGE: '3', QUOTA_FILES: '6' });
  });
  afterAll(() => server.close());

  it('parallel compressImage calls store exactly the per-image quota', async () => {
    const token = await server.signUp();
    const imageId = await storeImage(server, token, await makeImage(96, 64));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => compressStored(server, token, imageId, { quality: 40 + index })),
    );
    const stored = results.filter((result) => result.__typename === 'Compression');
    const refused = results.filter((result) => result.__typename === 'QuotaExceededError');
    expect(stored).toHaveLength(3);
    expect(refused).toHaveLength(5);
    expect(refused[0]).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 3 });
    expect(await compressionCount(server, imageId)).toBe(3);
    const files = await storedKeys(server);
    expect(files.filter((path) => path.includes('/compressions/'))).toHaveLength(3);
    expect(await scratchFiles(server)).toEqual([]);
    // Previews are not stored, so they are not counted.
    expect((await preview(server, token, imageId, { width: 10 })).__typename).toBe('CompressedFile');
  });

  it('counts compressions against the total-file quota, and a deleted one frees its slot', async () => {
    const token = await server.signUp();
    const first = await storeImage(server, token, await makeImage(40, 30));
    const second = await storeImage(server, token, await makeImage(40, 30));
    // 2 originals + up to 4 compressions = 6 files.
    const targets = [first, first, first, second, second, second];
    const results = await Promise.all(targets.map((imageId) => compressStored(server, token, imageId, { format: 'PNG' })));
    const stored = results.filter((result) => result.__typename === 'Compression');
    expect(stored).toHaveLength(4);
    expect(
      results.filter((result) => result.__typename === 'QuotaExceededError').every((result) => result.limit === 6 || result.limit === 3),
    ).toBe(true);
    const usage = await server.gql(`{ me { usage { files maxFiles } } }`, {}, token);
    expect(usage.data?.me.usage).toEqual({ files: 6, maxFiles: 6 });
    // One of the second image's own (each image got at least one of the four, and which got three
    // depends on the race): deleting it frees both its per-image slot and a file slot.
    const ofSecond = results.find((result, index) => result.__typename === 'Compression' && targets[index] === second)!;
    await server.gql(`mutation($id: ID!) { deleteCompression(id: $id) { __typename } }`, { id: ofSecond.id }, token);
    expect((await compressStored(server, token, second, { format: 'PNG' })).__typename).toBe('Compression');
  });
});

describe('image queue', () => {
  it('refuses work beyond the waiting limit at once, and runs no more than its concurrency', async () => {
    const queue = new ImageQueue({ concurrency: 1, maxWaiting: 1, jobTimeoutMs: 10_000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run(() => gate.then(() => 'first'));
    const second = queue.run(async () => 'second');
    await expect(queue.run(async () => 'third')).rejects.toBeInstanceOf(QueueFullError);
    expect([queue.running, queue.waiting]).toEqual([1, 1]);
    release();
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
  });

  it('with no waiting room still runs a job that need not wait', async () => {
    const queue = new ImageQueue({ concurrency: 1, maxWaiting: 0, jobTimeoutMs: 10_000 });
    expect(await queue.run(async () => 42)).toBe(42);
  });

  it('fails a job over its time limit at once and aborts it, but keeps its slot until it stops', async () => {
    const queue = new ImageQueue({ concurrency: 1, maxWaiting: 5, jobTimeoutMs: 50 });
    let stopJob!: () => void;
    let sawAbort = false;
    const slow = queue.run(
      ({ signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => (sawAbort = true));
          stopJob = resolve;
        }),
    );
    await expect(slow).rejects.toBeInstanceOf(ImageJobTimeoutError);
    expect(sawAbort).toBe(true);
    expect(queue.running).toBe(1);
    const next = queue.run(async () => 'next');
    expect(queue.waiting).toBe(1);
    stopJob();
    expect(await next).toBe('next');
  });

  it('reports an over-long compression as IMAGE_TIMEOUT and leaves nothing behind', async () => {
    // The image is stored with the default time limit (on a loaded machine its own upload could
    // pass 100 ms), then the server restarts on the same data with the short one.
    const first = await startTestServer({ QUOTA_COMPRESSIONS_PER_IMAGE: '5' });
    const token = await first.signUp();
    const imageId = await storeImage(first, token, await makeImage(800, 600));
    await first.stop();
    const server = await startTestServer({ IMAGE_JOB_TIMEOUT_MS: '100', QUOTA_COMPRESSIONS_PER_IMAGE: '5' }, first.dataDir);
    try {
      const response = await server.gql(
        `mutation($id: ID!) { compressImage(imageId: $id, options: { format: AVIF, targetSsim: 0.99 }) { __typename } }`,
        { id: imageId },
        token,
      );
      expect(response.errors?.[0]?.extensions?.code).toBe('IMAGE_TIMEOUT');
      await server.app.services.imageQueue.idle();
      expect(await compressionCount(server, imageId)).toBe(0);
      expect((await storedKeys(server)).some((path) => path.includes('/compressions/'))).toBe(false);
    } finally {
      await server.close();
    }
  });
});
