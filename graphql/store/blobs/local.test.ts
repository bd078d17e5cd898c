import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobKeys } from '../ports.ts';
import { describeBlobStoreContract } from '../testsuite/blobs-contract.ts';
import { LocalBlobStore } from './local.ts';

const newDataDir = () => mkdtemp(join(tmpdir(), 'pixpress-blobs-'));

describeBlobStoreContract(
  'local folder',
  async () => {
    const dataDir = await newDataDir();
    const blobs = await LocalBlobStore.open(dataDir);
    return {
      blobs,
      async cleanup() {
        await blobs.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
    // Over a thousand blobs matters for S3's batches and pages; here it would only time fsyncs.
  },
  { bulkCount: 120 },
);

describe('LocalBlobStore', () => {
  it('reads, lists and removes a data folder of the layout Pixpress has always written, and nothing else in it', async () => {
    const dataDir = await newDataDir();
    const userId = randomUUID();
    const imageId = randomUUID();
    const compressionId = randomUUID();
    const existing = {
      [blobKeys.original(userId, imageId, 'jpg')]: 'original',
      [blobKeys.thumbnail(userId, imageId)]: 'thumbnail',
      [blobKeys.compression(userId, compressionId, 'avif')]: 'compression',
    };
    const notBlobs = [
      'db.json',
      'jwt-secret',
      'db.json.lock',
      '.db.json.tmp',
      `.tmp/${randomUUID()}`,
      `${userId}/notes.txt`,
      `${userId}/other/${imageId}.jpg`,
      `stray/${imageId}.jpg`,
    ];
    for (const [path, content] of [...Object.entries(existing), ...notBlobs.map((path) => [path, 'not a blob'] as const)]) {
      await mkdir(dirname(join(dataDir, path)), { recursive: true });
      await writeFile(join(dataDir, path), content);
    }
    const blobs = await LocalBlobStore.open(dataDir);

    for (const [key, content] of Object.entries(existing)) expect((await blobs.read(key)).toString()).toBe(content);
    const listed: string[] = [];
    for await (const page of blobs.list()) listed.push(...page.map((listing) => listing.key));
    expect(listed.sort()).toEqual(Object.keys(existing).sort());

    await blobs.remove(...Object.keys(existing));
    for (const path of notBlobs.filter((path) => !path.startsWith('.tmp/'))) expect(existsSync(join(dataDir, path)), path).toBe(true);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps scratch files in a folder per process, on the same file system as the blobs', async () => {
    const dataDir = await newDataDir();
    const first = await LocalBlobStore.open(dataDir);
    const second = await LocalBlobStore.open(dataDir);
    const firstScratch = await first.scratchPath();
    const secondScratch = await second.scratchPath();
    expect(dirname(dirname(firstScratch))).toBe(join(dataDir, '.tmp'));
    expect(dirname(firstScratch)).not.toBe(dirname(secondScratch));
    await writeFile(firstScratch, 'first');
    await writeFile(secondScratch, 'second');

    // The second process starting up clears its own scratch only: the first one's upload goes on.
    expect(await second.clearScratch()).toBe(1);
    expect(existsSync(firstScratch)).toBe(true);
    expect(existsSync(secondScratch)).toBe(false);
    // Nor may it remove another process's scratch file by path.
    await expect(second.removeScratch(firstScratch)).rejects.toThrow(/not a scratch file of this process/);

    // Closing takes a process's folder away, and the last one out leaves no .tmp behind.
    await writeFile(await second.scratchPath(), 'a later upload');
    await first.close();
    expect(await readdir(join(dataDir, '.tmp'))).toEqual([basename(dirname(secondScratch))]);
    await second.close();
    expect(existsSync(join(dataDir, '.tmp'))).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('clears the scratch folder of a process untouched for over an hour, and loose files of the old layout', async () => {
    const dataDir = await newDataDir();
    const gone = join(dataDir, '.tmp', 'a-process-that-died');
    const alive = join(dataDir, '.tmp', 'a-process-still-receiving');
    for (const folder of [gone, alive]) {
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'upload'), 'partial');
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const fiftyMinutesAgo = new Date(Date.now() - 50 * 60 * 1000);
    await utimes(join(gone, 'upload'), twoHoursAgo, twoHoursAgo);
    await utimes(gone, twoHoursAgo, twoHoursAgo);
    // The folder is old but a file in it was written recently: still in use.
    await utimes(alive, twoHoursAgo, twoHoursAgo);
    await utimes(join(alive, 'upload'), fiftyMinutesAgo, fiftyMinutesAgo);
    await writeFile(join(dataDir, '.tmp', 'half-written'), 'from a version without per-process folders');

    const blobs = await LocalBlobStore.open(dataDir);
    expect(await blobs.clearScratch()).toBe(2);
    expect((await readdir(join(dataDir, '.tmp'))).sort()).toEqual(['a-process-still-receiving']);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('clears every other folder at once when told no other process can be using the data folder', async () => {
    const dataDir = await newDataDir();
    const crashed = join(dataDir, '.tmp', 'killed-a-second-ago');
    await mkdir(crashed, { recursive: true });
    await writeFile(join(crashed, 'upload'), 'partial');
    const blobs = await LocalBlobStore.open(dataDir, { abandonedAfterMs: 0 });
    expect(await blobs.clearScratch()).toBe(1);
    expect(existsSync(join(dataDir, '.tmp'))).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives no direct URL: files go through the signed /files/ URLs', async () => {
    const dataDir = await newDataDir();
    const blobs = await LocalBlobStore.open(dataDir);
    expect(
      await blobs.directUrl(blobKeys.thumbnail(randomUUID(), randomUUID()), { ttlSeconds: 300, contentType: 'image/webp' }),
    ).toBeNull();
    expect(blobs.backend).toBe('local');
    await rm(dataDir, { recursive: true, force: true });
  });
});
