// The database or the bucket failing while the server runs: clients get SERVER_BUSY (503) and a
// message that does not leak the cause, nothing is half-written, and service resumes by itself.
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKEND, TEST_DATABASE_URL, testS3Client } from './backends.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, storageProblems, uploadImage, type TestServer } from './harness.ts';

describe.skipIf(TEST_BACKEND !== 'postgres-s3' || !TEST_DATABASE_URL)('storage failing mid-run', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = await server.signUp('weathered');
  });
  afterAll(() => server?.close());

  it('answers SERVER_BUSY while the bucket is gone, leaves no record without its file, and recovers', async () => {
    const s3 = testS3Client();
    const bucket = server.config.s3!.bucket;
    const photo = await makeImage(120, 90);
    const before = await uploadImage(server, token, photo, 'before.jpg');
    expect(before.__typename).toBe('Image');
    // Take the bucket away (s3rver refuses to delete a bucket that is not empty).
    const objects = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [];
    const saved = await Promise.all(
      objects.map(async (object) => ({ key: object.Key!, bytes: await server.app.services.blobs.read(object.Key!) })),
    );
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.map((object) => ({ Key: object.Key! })) } }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    try {
      const during = await server.multipart(
        `mutation($file: Upload!) { uploadImage(file: $file) { __typename } }`,
        { file: null },
        { file: { data: photo, filename: 'during.jpg' } },
        token,
      );
      expect(during.status, JSON.stringify(during.errors ?? during.data)).toBe(503);
      expect(during.errors?.[0]?.extensions?.code).toBe('SERVER_BUSY');
      expect(during.errors?.[0]?.message).not.toContain(bucket);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect((await health.json()).files.ok).toBe(false);
    } finally {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      for (const { key, bytes } of saved) await server.app.services.blobs.put(key, bytes, 'application/octet-stream');
      s3.destroy();
    }
    const listed = await server.gql(`{ images { totalCount } }`, {}, token);
    expect(listed.data?.images.totalCount).toBe(1);
    expect((await uploadImage(server, token, photo, 'after.jpg')).__typename).toBe('Image');
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });

  it('answers SERVER_BUSY while the database refuses connections, and recovers', async () => {
    const database = new URL(server.config.databaseUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL! });
    await admin.connect();
    try {
      await admin.query(`alter database ${database} allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [
        database,
      ]);
      const during = await server.gql(`{ images { totalCount } }`, {}, token);
      expect(during.status, JSON.stringify(during.errors ?? during.data)).toBe(503);
      expect(during.errors?.[0]?.extensions?.code).toBe('SERVER_BUSY');
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect((await health.json()).records.ok).toBe(false);
    } finally {
      await admin.query(`alter database ${database} allow_connections true`);
      await admin.end();
    }
    await expect
      .poll(async () => (await server.gql(`{ images { totalCount } }`, {}, token)).data?.images.totalCount, { timeout: 15_000 })
      .toBe(2);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
