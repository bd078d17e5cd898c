// What only the embedded backend has: the document's schema version and migrations, the lock
// that keeps a second process off the folder, and the size limits that keep the owner from
// being locked out of their own data.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImage } from '../../../testkit/fixtures.ts';
import { startTestServer, uploadImage } from '../../tests/harness.ts';
import { StorageFullError } from '../ports.ts';
import { migrateDocument, SCHEMA_VERSION } from './document.ts';
import { EmbeddedRecordStore } from './records.ts';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pixpress-embedded-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const user = (name: string) => ({
  id: crypto.randomUUID(),
  username: name,
  usernameKey: name.toLowerCase(),
  passwordHash: 'x',
  createdAt: new Date().toISOString(),
  tokenVersion: 0,
});

describe('the embedded document', () => {
  it('opens a data folder written before schema versions existed, migrates it once, and keeps its records and files', async () => {
    const server = await startTestServer({ JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789' });
    const token = await server.signUp('old-timer');
    const image = await uploadImage(server, token, await makeImage(90, 60), 'before.jpg', { tags: ['old'] });
    await server.stop();
    // What db.json looked like on earlier releases: no schemaVersion, indented.
    const path = join(server.dataDir, 'db.json');
    const { schemaVersion, ...v1 } = JSON.parse(await readFile(path, 'utf8'));
    expect(schemaVersion).toBe(SCHEMA_VERSION);
    await writeFile(path, JSON.stringify(v1, null, 2));

    const again = await startTestServer({ JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789' }, server.dataDir);
    try {
      expect(JSON.parse(await readFile(path, 'utf8')).schemaVersion).toBe(SCHEMA_VERSION);
      const listed = await again.gql(`{ images { edges { node { id name tags url } } } }`, {}, token);
      expect(listed.data?.images.edges[0].node).toMatchObject({ id: image.id, name: 'before.jpg', tags: ['old'] });
      expect((await fetch(new URL(listed.data?.images.edges[0].node.url, again.url))).status).toBe(200);
    } finally {
      await again.close();
    }
  });

  it('lower-cases the tags of images stored before tags ignored case, merging duplicates in place', () => {
    const image = (tags: string[]) => ({ id: crypto.randomUUID(), tags });
    const document = {
      schemaVersion: 3,
      users: {},
      images: { someone: { a: image(['Wood', 'oak', 'WOOD', 'wood']), b: image(['Beach']), c: image([]) } },
      compressions: {},
      revokedTokens: {},
    };
    const { data, migrated } = migrateDocument(structuredClone(document));
    expect(migrated).toBe(true);
    const tagsOf = (id: 'a' | 'b' | 'c') => data.images.someone![id]!.tags;
    expect([tagsOf('a'), tagsOf('b'), tagsOf('c')]).toEqual([['wood', 'oak'], ['beach'], []]);
  });

  it('refuses a document written by a newer Pixpress, leaving it untouched', async () => {
    const dir = await tempDir();
    const text = JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1, users: {}, images: {}, compressions: {} });
    await writeFile(join(dir, 'db.json'), text);
    await expect(EmbeddedRecordStore.open(dir)).rejects.toThrow(/written by a newer Pixpress/);
    expect(await readFile(join(dir, 'db.json'), 'utf8')).toBe(text);
  });
});

describe('the folder lock', () => {
  it('refuses a second store on the same folder while the first is open, and allows it once closed', async () => {
    const dir = await tempDir();
    const first = await EmbeddedRecordStore.open(dir);
    await first.insertUser(user('first'));
    await first.persist();
    await expect(EmbeddedRecordStore.open(dir, { lockWaitMs: 1_500 })).rejects.toThrow(/in use by another Pixpress process/);
    await first.close();
    const second = await EmbeddedRecordStore.open(dir, { lockWaitMs: 1_500 });
    expect((await second.findUserByUsername('FIRST'))?.username).toBe('first');
    await second.close();
  });

  it('refuses a second server process on the same data folder at start', async () => {
    const server = await startTestServer();
    try {
      await expect(startTestServer({}, server.dataDir)).rejects.toThrow(/DATA_DIR .* is in use by another Pixpress process/);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('the size limits', () => {
  it('warns past the warning size and refuses new records near the ceiling with STORAGE_FULL, still starting afterwards', async () => {
    const dir = await tempDir();
    const warnings: number[] = [];
    const capacity = { warnBytes: 600, refuseBytes: 1_200 };
    const store = await EmbeddedRecordStore.open(dir, { capacity, onNearCapacity: (bytes) => warnings.push(bytes) });
    let inserted = 0;
    let refusal: unknown = null;
    for (let index = 0; index < 50 && !refusal; index++) {
      try {
        await store.insertUser(user(`user${index}`));
        inserted += 1;
      } catch (error) {
        refusal = error;
      }
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBeGreaterThanOrEqual(600);
    expect(refusal).toBeInstanceOf(StorageFullError);
    expect((refusal as Error).message).toMatch(/embedded database is full .* migrate-store/);
    expect(await store.health()).toMatchObject({ ok: false, status: 'full' });
    const held = await store
      .reserveImage('anyone', { quotaImages: 10, quotaCompressionsPerImage: 10, quotaFiles: 10, quotaBytes: 1e9 })
      .catch((error: unknown) => error);
    expect(held).toBeInstanceOf(StorageFullError);
    await store.close();

    const warnedAtStart: number[] = [];
    const reopened = await EmbeddedRecordStore.open(dir, { capacity, onNearCapacity: (bytes) => warnedAtStart.push(bytes) });
    expect((await reopened.counts()).users).toBe(inserted);
    expect(warnedAtStart).toHaveLength(1);
    await reopened.close();
  });
});
