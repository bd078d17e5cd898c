// Moving an embedded install up: `npm run migrate-store` copies a data folder into Postgres and a
// bucket. Runs when the test services are given (CI always gives them).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFor, TEST_DATABASE_URL, TEST_S3_ENDPOINT, type BackendEnv } from './backends.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, storedKeys, uploadImage, type TestServer } from './harness.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const SECRET = 'the-same-secret-before-and-after-0123456789';

async function migrate(
  from: string,
  env: Record<string, string>,
  ...extra: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/migrate-store.ts', '--from', from, ...extra], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, DATA_DIR: join(from, 'target-scratch'), JWT_SECRET: SECRET },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!TEST_DATABASE_URL || !TEST_S3_ENDPOINT)('npm run migrate-store', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
  });

  it('moves users, images, compressions, tags, dates and files; a moved user logs in with the same password and sees everything', async () => {
    // An embedded install with two users, images with tags and compressions.
    const source = await startTestServer({ JWT_SECRET: SECRET });
    cleanup.push(() => rm(source.dataDir, { recursive: true, force: true }));
    const alice = await source.signUp('alice', 'alice password 1');
    const bob = await source.signUp('bob', 'bob password 22');
    const photo = await makeImage(200, 150, 'jpeg');
    const first = await uploadImage(source, alice, photo, 'first.jpg', { tags: ['trip', 'sea'] });
    await uploadImage(source, alice, await makeImage(90, 90, 'png'), 'second.png');
    await uploadImage(source, bob, await makeImage(60, 40, 'webp'), 'bob.webp', { tags: ['mine'] });
    const compressed = await source.gql(
      `mutation($id: ID!) { compressImage(imageId: $id, options: { width: 100, format: WEBP, transform: { rotate: 90, flop: true } }) { ... on Compression { id bytes } } }`,
      { id: first.id },
      alice,
    );
    const shared = await source.gql(
      `mutation($id: ID!) { createShareLink(compressionId: $id) { ... on ShareLink { id url } } }`,
      { id: compressed.data?.compressImage.id },
      alice,
    );
    const sharePath = new URL(shared.data?.createShareLink.url).pathname;
    await source.gql(`mutation { savePreset(name: "Web 100 WebP", options: { width: 100, format: WEBP }) { __typename } }`, {}, alice);
    const before = await gallery(source, alice);
    // Display renditions exist for the images whose rendition would halve their bytes.
    const renditions = (await storedKeys(source)).filter((key) => key.includes('/renditions/')).length;
    await source.stop();

    const target = await backendFor(await mkdtemp(join(tmpdir(), 'pixpress-migrated-')), 'postgres-s3');
    cleanup.push(() => target.drop());
    const env = { ...target.env, LOG_LEVEL: 'silent' };
    const moved = await migrate(source.dataDir, env);
    expect(moved, moved.stderr).toMatchObject({ code: 0 });

    // Run again, as after an interruption: everything is found in place, nothing is copied twice.
    const again = await migrate(source.dataDir, { ...target.env, LOG_LEVEL: 'info' });
    expect(again.code, again.stderr).toBe(0);
    const finished = again.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((entry) => entry.msg === 'migration finished and verified');
    // Files: three originals and their thumbnails, one compression, and the display renditions.
    expect(finished.report).toMatchObject({
      users: { copied: 0, present: 2 },
      images: { copied: 0, present: 3 },
      compressions: { copied: 0, present: 1 },
      files: { copied: 0, present: 7 + renditions },
    });

    const after = await startTestServer({ ...target.env, JWT_SECRET: SECRET }, await mkdtemp(join(tmpdir(), 'pixpress-after-')));
    cleanup.push(() => after.stop());
    const login = await after.gql(`mutation { logIn(username: "alice", password: "alice password 1") { ... on AuthPayload { token } } }`);
    const token = login.data?.logIn.token as string;
    expect(token).toBeTruthy();
    expect(await gallery(after, token)).toEqual(before);
    // The files came along, byte for byte.
    const listed = await after.gql(`query($id: ID!) { image(id: $id) { url compressions { id bytes url } } }`, { id: first.id }, token);
    const original = await fetch(new URL(listed.data?.image.url, after.url));
    expect(Buffer.from(await original.arrayBuffer()).equals(photo)).toBe(true);
    expect(listed.data?.image.compressions).toMatchObject([
      { id: compressed.data?.compressImage.id, bytes: compressed.data?.compressImage.bytes },
    ]);
    expect((await fetch(new URL(listed.data?.image.compressions[0].url, after.url))).status).toBe(200);
    // Share links and presets came along, and a link works at the new home (same secret).
    expect((await after.gql(`{ shareLinks { id url } }`, {}, token)).data?.shareLinks).toEqual([
      { id: shared.data?.createShareLink.id, url: `${after.url}${sharePath}` },
    ]);
    expect((await fetch(`${after.url}${sharePath}`)).status).toBe(200);
    expect((await after.gql(`{ presets { name options { width format } } }`, {}, token)).data?.presets).toEqual([
      { name: 'Web 100 WebP', options: { width: 100, format: 'WEBP' } },
    ]);
  });

  it('refuses a target that holds other data unless told', async () => {
    const source = await startTestServer();
    cleanup.push(() => rm(source.dataDir, { recursive: true, force: true }));
    await source.signUp('carol', 'carol password 1');
    await source.stop();
    const target: BackendEnv = await backendFor(await mkdtemp(join(tmpdir(), 'pixpress-occupied-')), 'postgres-s3');
    cleanup.push(() => target.drop());
    const occupant = await startTestServer({ ...target.env }, await mkdtemp(join(tmpdir(), 'pixpress-occupant-')));
    await occupant.signUp('dave', 'dave password 1');
    await occupant.stop();

    const refused = await migrate(source.dataDir, { ...target.env, LOG_LEVEL: 'silent' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds 1 user\(s\) .* --allow-existing/);
    const merged = await migrate(source.dataDir, { ...target.env, LOG_LEVEL: 'silent' }, '--allow-existing');
    expect(merged.code, merged.stderr).toBe(0);
  });
});

async function gallery(server: TestServer, token: string): Promise<unknown> {
  const result = await server.gql(
    `{ me { username createdAt usage { images files bytes } } images(first: 50, orderBy: OLDEST) { totalCount edges { node { id name tags format width height bytes createdAt updatedAt compressions { id format width bytes quality ssim createdAt options { width format quality transform { rotate flop } } } } } } tags { name count } }`,
    {},
    token,
  );
  return result.data;
}
