// Three real instances (`node server.ts`, each its own process and scratch folder) on one
// Postgres database and one bucket: what a load balancer in front of them relies on. Runs when
// the test services are given (CI always gives them).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { openStorage, type Storage } from '../store/open.ts';
import { backendFor, TEST_DATABASE_URL, TEST_S3_ENDPOINT, type BackendEnv } from './backends.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startChildServer, type ChildServer } from '../../testkit/child-server.ts';
import { CSRF, recordsAndFilesDisagree, UPLOAD_IMAGE } from './harness.ts';

const servicesGiven = Boolean(TEST_DATABASE_URL && TEST_S3_ENDPOINT);
const QUOTA_IMAGES = 5;
const QUOTA_COMPRESSIONS = 3;
const RESERVATION_TTL_SECONDS = 4;

describe.skipIf(!servicesGiven)('three instances on one Postgres and one bucket', () => {
  let backend: BackendEnv;
  let env: Record<string, string>;
  const dirs: string[] = [];
  const instances: ChildServer[] = [];
  let storage: Storage;
  const figures: Record<string, unknown> = {};

  const start = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pixpress-instance-'));
    dirs.push(dir);
    const instance = await startChildServer(dir, env);
    instances.push(instance);
    return instance;
  };
  const gql = async (instance: ChildServer, query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> } };
  };
  const upload = async (instance: ChildServer, token: string, data: Buffer, name: string) => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: UPLOAD_IMAGE, variables: { file: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([new Uint8Array(data)], { type: 'image/jpeg' }), name);
    const response = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { ...CSRF, authorization: `Bearer ${token}` },
      body: form,
    });
    return ((await response.json()) as { data?: { uploadImage?: { __typename: string; id?: string; url?: string } } }).data?.uploadImage;
  };

  beforeAll(async () => {
    const shared = await mkdtemp(join(tmpdir(), 'pixpress-shared-'));
    dirs.push(shared);
    backend = await backendFor(shared, 'postgres-s3');
    env = {
      ...backend.env,
      FILE_URLS: 'proxy',
      JWT_SECRET: 'one-secret-for-every-instance-0123456789abcdef',
      QUOTA_IMAGES: String(QUOTA_IMAGES),
      QUOTA_COMPRESSIONS_PER_IMAGE: String(QUOTA_COMPRESSIONS),
      RESERVATION_TTL_SECONDS: String(RESERVATION_TTL_SECONDS),
      LOG_LEVEL: 'info',
    };
    // Started together: the migrations run once, under Postgres's advisory lock.
    await Promise.all([start(), start(), start()]);
    storage = await openStorage(loadConfig({ ...env, DATA_DIR: shared, LOG_LEVEL: 'silent' }), pino({ level: 'silent' }));
  }, 120_000);

  afterAll(async () => {
    console.info(`[multi-instance] ${JSON.stringify(figures)}`);
    await Promise.allSettled(instances.map((instance) => instance.kill('SIGTERM')));
    await Promise.allSettled([storage?.records.close(), storage?.blobs.close()]);
    await backend?.drop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('signs up on one, logs in on another, and the token works on the third', async () => {
    const [a, b, c] = instances as [ChildServer, ChildServer, ChildServer];
    const signed = await gql(a, `mutation { signUp(username: "roamer", password: "correct horse battery") { __typename } }`);
    expect(signed.body.data?.signUp.__typename).toBe('AuthPayload');
    const logged = await gql(
      b,
      `mutation { logIn(username: "ROAMER", password: "correct horse battery") { ... on AuthPayload { token } } }`,
    );
    const token = logged.body.data?.logIn.token as string;
    expect(token).toBeTruthy();
    expect((await gql(c, `{ me { username } }`, {}, token)).body.data?.me).toEqual({ username: 'roamer' });
    // The name is taken on every instance, whatever the letter case.
    const again = await gql(c, `mutation { signUp(username: "Roamer", password: "correct horse battery") { __typename } }`);
    expect(again.body.data?.signUp.__typename).toBe('UsernameTakenError');
  });

  it('never exceeds a quota with parallel uploads and compressions spread over the instances', async () => {
    const token = (
      await gql(
        instances[0]!,
        `mutation { signUp(username: "spreader", password: "correct horse battery") { ... on AuthPayload { token } } }`,
      )
    ).body.data?.signUp.token as string;
    const photo = await makeImage(160, 120, 'jpeg');
    const uploads = await Promise.all(
      Array.from({ length: 12 }, (_, index) => upload(instances[index % 3]!, token, photo, `p${index}.jpg`)),
    );
    const types = uploads.map((result) => result?.__typename);
    figures.parallelUploads = {
      sent: 12,
      stored: types.filter((type) => type === 'Image').length,
      refused: types.filter((type) => type === 'QuotaExceededError').length,
    };
    expect(types.filter((type) => type === 'Image')).toHaveLength(QUOTA_IMAGES);
    expect(types.filter((type) => type === 'QuotaExceededError')).toHaveLength(12 - QUOTA_IMAGES);

    const imageId = uploads.find((result) => result?.__typename === 'Image')!.id!;
    const compress = `mutation($id: ID!, $q: Int) { compressImage(imageId: $id, options: { width: 80, quality: $q }) { __typename } }`;
    const compressions = await Promise.all(
      Array.from({ length: 9 }, (_, index) => gql(instances[index % 3]!, compress, { id: imageId, q: 40 + index }, token)),
    );
    const outcomes = compressions.map((result) => result.body.data?.compressImage.__typename);
    figures.parallelCompressions = { sent: 9, stored: outcomes.filter((type) => type === 'Compression').length };
    expect(outcomes.filter((type) => type === 'Compression')).toHaveLength(QUOTA_COMPRESSIONS);
    expect(outcomes.filter((type) => type === 'QuotaExceededError')).toHaveLength(9 - QUOTA_COMPRESSIONS);
    const usage = await gql(instances[2]!, `{ me { usage { images files } } }`, {}, token);
    expect(usage.body.data?.me.usage).toEqual({ images: QUOTA_IMAGES, files: QUOTA_IMAGES + QUOTA_COMPRESSIONS });
  });

  it('serves a file URL issued by one instance through another', async () => {
    const [a, b] = instances as [ChildServer, ChildServer];
    const token = (
      await gql(a, `mutation { signUp(username: "sharer", password: "correct horse battery") { ... on AuthPayload { token } } }`)
    ).body.data?.signUp.token as string;
    const photo = await makeImage(90, 60, 'png');
    const image = await upload(a, token, photo, 'shared.png');
    const served = await fetch(`${b.url}${image!.url}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('counts failed logins on every instance toward one throttle', async () => {
    const [a] = instances as [ChildServer];
    await gql(a, `mutation { signUp(username: "guarded", password: "correct horse battery") { __typename } }`);
    const attempts: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const result = await gql(
        instances[attempt % 3]!,
        `mutation { logIn(username: "guarded", password: "wrong password ${attempt}") { __typename } }`,
      );
      attempts.push(result.status);
    }
    figures.throttle = { statuses: attempts };
    // Ten failures from this address, wherever they landed; the eleventh is refused before hashing.
    expect(attempts.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(attempts.slice(10)).toEqual([429, 429]);
  });

  it('survives a kill -9 during uploads: no record without its file, no slot leaked past the expiry, the others keep answering', async () => {
    const victim = await start();
    const token = (
      await gql(
        instances[0]!,
        `mutation { signUp(username: "survivor", password: "correct horse battery") { ... on AuthPayload { token } } }`,
      )
    ).body.data?.signUp.token as string;
    const photo = await makeImage(2400, 1800, 'jpeg');
    const inFlight = Array.from({ length: QUOTA_IMAGES }, (_, index) =>
      upload(victim, token, photo, `v${index}.jpg`).catch(() => undefined),
    );
    // Let the uploads reach the server (some hold slots, some are mid-write), then kill it.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    const results = await Promise.all(inFlight);
    const answeredUploads = results.filter((result) => result?.__typename === 'Image').length;
    // An upload can commit and then die before its answer leaves (so more may be stored than
    // were answered): what is stored is what the records say, and at least every answered upload.
    const usageAfterKill = await gql(instances[0]!, `{ me { usage { images } } }`, {}, token);
    const survivedUploads = usageAfterKill.body.data?.me.usage.images as number;
    expect(survivedUploads).toBeGreaterThanOrEqual(answeredUploads);

    // The others answer at once.
    for (const instance of instances.slice(0, 3)) expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
    // Every record names files that exist (files are written before records).
    const problems = await recordsAndFilesDisagree(storage.records, storage.blobs);
    expect(problems.missing).toEqual([]);
    // Within the reservation expiry the dead instance's slots come back: the whole remaining
    // quota can be used through the survivors, and no more.
    const waitMs = RESERVATION_TTL_SECONDS * 1000 + 1500 - (Date.now() - killedAt);
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const after = await Promise.all(
      Array.from({ length: QUOTA_IMAGES + 2 }, (_, index) => upload(instances[index % 3]!, token, photo, `after${index}.jpg`)),
    );
    const stored = after.filter((result) => result?.__typename === 'Image').length;
    figures.killDuringUploads = {
      answeredUploads,
      survivedUploads,
      orphanFilesLeft: problems.orphans.length,
      storedAfterExpiry: stored,
      secondsToRecovery: (Date.now() - killedAt) / 1000,
    };
    expect(stored).toBe(QUOTA_IMAGES - survivedUploads);
  }, 120_000);
});
