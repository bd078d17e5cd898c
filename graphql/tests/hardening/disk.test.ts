// A full disk (issue 12, point 4): below MIN_FREE_DISK_BYTES, writing mutations are refused with
// STORAGE_FULL before anything is written, reads and deletes still work, and /healthz says
// the disk is low.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiskSpace } from '../../health/disk-space.ts';
import { makeImage } from '../../../testkit/fixtures.ts';
import { startTestServer, UPLOAD_IMAGE, type TestServer } from '../harness.ts';
import { filesOnDisk } from './helpers.ts';

describe('free disk below the floor', () => {
  let server: TestServer;
  beforeAll(async () => {
    // More free space than any disk has: the floor is always crossed.
    server = await startTestServer({ MIN_FREE_DISK_BYTES: String(2 ** 52), SEED_USER: 'owner:owner-password' });
  });
  afterAll(async () => server?.close());

  it('refuses sign-up and uploads with STORAGE_FULL (507), leaving no account and no file', async () => {
    const before = await filesOnDisk(server.dataDir);
    const signUp = await server.gql(`mutation { signUp(username: "newcomer", password: "correct horse battery") { __typename } }`);
    expect(signUp.status).toBe(507);
    expect(signUp.errors?.[0]?.extensions?.code).toBe('STORAGE_FULL');
    expect(await server.app.services.records.findUserByUsername('newcomer')).toBeUndefined();

    const login = await server.gql<{ logIn: { token: string } }>(
      `mutation { logIn(username: "owner", password: "owner-password") { ... on AuthPayload { token } } }`,
    );
    const token = login.data!.logIn.token;
    expect(token).toBeTruthy();
    const upload = await server.multipart(
      UPLOAD_IMAGE,
      { file: null },
      { file: { data: await makeImage(64, 48), filename: 'a.jpg' } },
      token,
    );
    expect(upload.errors?.[0]?.extensions?.code).toBe('STORAGE_FULL');
    expect(await filesOnDisk(server.dataDir)).toEqual(before);
    expect((await server.gql('{ me { username } }', {}, token)).data?.me.username).toBe('owner');
  });

  it('reports the low disk on /healthz with 503', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: 'unavailable',
      records: { ok: true },
      disk: { ok: false, state: 'low', minFreeBytes: 2 ** 52 },
    });
  });
});

describe('createDiskSpace', () => {
  it('reads the free bytes of the disk holding a path, and compares them with the floor', async () => {
    const reading = await createDiskSpace('/tmp', 0).read();
    expect(reading.freeBytes).toBeGreaterThan(0);
    expect(reading.low).toBe(false);
    expect((await createDiskSpace('/tmp', reading.freeBytes * 2).read()).low).toBe(true);
  });
});
