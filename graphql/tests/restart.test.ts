import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedRecordStore } from '../store/embedded/records.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { TEST_BACKEND } from './backends.ts';
import { startTestServer, uploadImage } from './harness.ts';

const SECRET = { JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789' };

describe('a restart', () => {
  it('keeps users, images, tags, files and tokens', async () => {
    const first = await startTestServer(SECRET);
    const token = await first.signUp('keeper');
    const image = await uploadImage(first, token, await makeImage(120, 90), 'kept.jpg', { tags: ['stay'] });
    await first.stop();

    const second = await startTestServer(SECRET, first.dataDir);
    try {
      const listed = await second.gql(
        `{ me { username usage { images files } } images { edges { node { id name tags url } } } }`,
        {},
        token,
      );
      expect(listed.data?.me).toEqual({ username: 'keeper', usage: { images: 1, files: 1 } });
      const node = listed.data?.images.edges[0].node;
      expect(node).toMatchObject({ id: image.id, name: 'kept.jpg', tags: ['stay'] });
      expect((await fetch(`${second.url}${node.url}`)).status).toBe(200);
      // A URL signed before the restart still works: the key comes from the same secret.
      expect((await fetch(`${second.url}${image.url}`)).status).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('keeps a generated secret, so tokens survive without JWT_SECRET', async () => {
    const first = await startTestServer();
    const token = await first.signUp('secretless');
    await first.stop();
    const second = await startTestServer({}, first.dataDir);
    try {
      expect((await second.gql(`{ me { username } }`, {}, token)).data?.me).toEqual({ username: 'secretless' });
    } finally {
      await second.close();
    }
  });

  // The data folder's layout and db.json are the embedded backend's; the sweep over any backend is
  // in graphql/store/sweep.test.ts.
  it.skipIf(TEST_BACKEND !== 'embedded')('sweeps orphan files, temp files and records whose files are gone', async () => {
    const first = await startTestServer(SECRET);
    const token = await first.signUp('sweeper');
    const kept = await uploadImage(first, token, await makeImage(80, 80), 'kept.jpg');
    const broken = await uploadImage(first, token, await makeImage(80, 80), 'broken.jpg');
    await first.stop();

    const userId = kept.url.split('/')[2];
    const orphan = join(first.dataDir, userId, '00000000-0000-0000-0000-000000000000.jpg');
    await writeFile(orphan, 'left by a crash');
    await mkdir(join(first.dataDir, '.tmp'), { recursive: true });
    await writeFile(join(first.dataDir, '.tmp', 'half-written'), 'partial');
    await rm(join(first.dataDir, userId, `${broken.id}.jpg`));

    const second = await startTestServer(SECRET, first.dataDir);
    try {
      const listed = await second.gql(`{ images { totalCount edges { node { id } } } me { usage { images files } } }`, {}, token);
      expect(listed.data?.images.edges.map((edge: any) => edge.node.id)).toEqual([kept.id]);
      expect(listed.data?.me.usage).toEqual({ images: 1, files: 1 });
      const files = (await readdir(first.dataDir, { recursive: true })).map(String).sort();
      expect(files).toEqual(
        [
          'db.json',
          'db.json.lock',
          userId,
          `${userId}/${kept.id}.jpg`,
          `${userId}/thumbnails`,
          `${userId}/thumbnails/${kept.id}.webp`,
        ].sort(),
      );
    } finally {
      await second.close();
    }
  });

  it.skipIf(TEST_BACKEND !== 'embedded')(
    'writes a new database only once it is seeded, so a crash before that still seeds next time',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pixpress-new-'));
      const store = await EmbeddedRecordStore.open(dir);
      expect(store.isNew).toBe(true);
      expect(existsSync(join(dir, 'db.json'))).toBe(false);
      await store.close();
      // As if the process died here: the next start is a first start and seeds the user.
      const server = await startTestServer({ ...SECRET, SEED_USER: 'Picky:test' }, dir);
      try {
        const db = JSON.parse(await readFile(join(dir, 'db.json'), 'utf8'));
        expect(Object.values(db.users).map((user: any) => user.username)).toEqual(['Picky']);
      } finally {
        await server.close();
      }
    },
  );

  it.skipIf(TEST_BACKEND !== 'embedded')(
    'refuses to start on a db.json that is not a Pixpress database, leaving it untouched',
    async () => {
      const first = await startTestServer(SECRET);
      await first.stop();
      await writeFile(join(first.dataDir, 'db.json'), '{"users": ');
      await expect(startTestServer(SECRET, first.dataDir)).rejects.toThrow(/is not a Pixpress database .* refusing to overwrite it/);
      await rm(first.dataDir, { recursive: true, force: true });
    },
  );
});
