// What every BlobStore promises, as one suite each backend runs (after imgproxy's
// storage/testsuite): local.test.ts on a temp folder, s3.test.ts on a real S3-compatible server.
// Each test makes its own user folder (a fresh UUID), so tests never see each other's blobs.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOB_KEY_PATTERN, BlobNotFoundError, blobKeys, type BlobStore } from '../ports.ts';

export interface OpenedBlobStore {
  blobs: BlobStore;
  /** Closes the store and removes everything the suite stored (folder, bucket). */
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** Blobs stored and removed in the bulk test; above 1000 crosses a DeleteObjects batch and a list page. */
  bulkCount?: number;
}

const MB = 1024 * 1024;

export function describeBlobStoreContract(name: string, open: () => Promise<OpenedBlobStore>, options: ContractOptions = {}): void {
  const bulkCount = options.bulkCount ?? 1001;

  describe(`BlobStore contract: ${name}`, () => {
    let blobs: BlobStore;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ blobs, cleanup } = await open());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    const newUser = () => randomUUID();
    const originalKey = (userId: string, extension = 'png') => blobKeys.original(userId, randomUUID(), extension);

    async function scratchFileWith(bytes: Uint8Array): Promise<string> {
      const path = await blobs.scratchPath();
      await writeFile(path, bytes, { flag: 'wx' });
      return path;
    }

    it('putFile stores a scratch file under its key and takes the scratch file away', async () => {
      const bytes = randomBytes(64 * 1024);
      const scratch = await scratchFileWith(bytes);
      const key = originalKey(newUser());
      await blobs.putFile(key, scratch, 'image/png');
      expect(existsSync(scratch)).toBe(false);
      expect(sha256(await blobs.read(key))).toBe(sha256(bytes));
    });

    it('putFile and put round-trip a multi-MB file byte for byte', async () => {
      const userId = newUser();
      const large = randomBytes(12 * MB + 12345);
      const fromFile = originalKey(userId, 'jpg');
      await blobs.putFile(fromFile, await scratchFileWith(large), 'image/jpeg');
      const fromBuffer = blobKeys.compression(userId, randomUUID(), 'webp');
      await blobs.put(fromBuffer, large, 'image/webp');
      for (const key of [fromFile, fromBuffer]) {
        const read = await blobs.read(key);
        expect(read.length).toBe(large.length);
        expect(sha256(read)).toBe(sha256(large));
      }
    });

    it('put keeps every byte value, an empty blob, and replaces an existing blob', async () => {
      const userId = newUser();
      const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index);
      const key = blobKeys.thumbnail(userId, randomUUID());
      await blobs.put(key, everyByte, 'image/webp');
      expect([...(await blobs.read(key))]).toEqual([...everyByte]);
      await blobs.put(key, Buffer.from('second version'), 'image/webp');
      expect((await blobs.read(key)).toString()).toBe('second version');
      const empty = originalKey(userId);
      await blobs.put(empty, new Uint8Array(0), 'image/png');
      expect((await blobs.read(empty)).length).toBe(0);
    });

    it('open streams the same bytes with their size and a modification date', async () => {
      const bytes = randomBytes(3 * MB + 7);
      const key = originalKey(newUser(), 'avif');
      const before = Date.now();
      await blobs.put(key, bytes, 'image/avif');
      const opened = await blobs.open(key);
      expect(opened).toBeDefined();
      expect(opened!.size).toBe(bytes.length);
      // Some stores keep whole seconds only.
      expect(opened!.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 2000);
      expect(opened!.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
      expect(sha256(await drain(opened!.stream))).toBe(sha256(bytes));
      // stat gives what open gives, without the bytes.
      expect(await blobs.stat(key)).toEqual({ size: opened!.size, lastModified: opened!.lastModified });
    });

    it('open and stat of a missing blob are undefined; read and localCopy of one throw BlobNotFoundError', async () => {
      const key = originalKey(newUser());
      expect(await blobs.open(key)).toBeUndefined();
      expect(await blobs.stat(key)).toBeUndefined();
      await expect(blobs.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(blobs.localCopy(key)).rejects.toBeInstanceOf(BlobNotFoundError);
    });

    it('localCopy is a local file with the same bytes, and release leaves no scratch file behind', async () => {
      const bytes = randomBytes(2 * MB);
      const key = originalKey(newUser(), 'gif');
      await blobs.put(key, bytes, 'image/gif');
      const copy = await blobs.localCopy(key);
      expect(sha256(await readFile(copy.path))).toBe(sha256(bytes));
      await copy.release();
      await copy.release();
      const scratchFolder = dirname(await blobs.scratchPath());
      // Either the copy was a download (gone now) or the blob's own file, which must stay.
      if (existsSync(copy.path)) expect(dirname(copy.path)).not.toBe(scratchFolder);
      expect(sha256(await blobs.read(key))).toBe(sha256(bytes));
    });

    it('remove takes blobs away, and missing keys (or the same key twice) are fine', async () => {
      const userId = newUser();
      const keys = [originalKey(userId), blobKeys.thumbnail(userId, randomUUID()), blobKeys.compression(userId, randomUUID(), 'jpg')];
      for (const key of keys) await blobs.put(key, Buffer.from(key), 'image/png');
      const kept = originalKey(userId);
      await blobs.put(kept, Buffer.from('kept'), 'image/png');
      await blobs.remove(...keys, keys[0]!, originalKey(userId), blobKeys.thumbnail(newUser(), randomUUID()));
      for (const key of keys) expect(await blobs.open(key)).toBeUndefined();
      expect((await blobs.read(kept)).toString()).toBe('kept');
      await blobs.remove();
      await blobs.remove(...keys);
    });

    it(`list pages hold every blob, and remove clears ${bulkCount} blobs at once`, async () => {
      const userId = newUser();
      const kinds = [
        () => blobKeys.thumbnail(userId, randomUUID()),
        () => blobKeys.compression(userId, randomUUID(), 'webp'),
        () => originalKey(userId, 'jpg'),
        () => blobKeys.rendition(userId, randomUUID()),
      ];
      const keys = Array.from({ length: bulkCount }, (_, index) => kinds[index % kinds.length]!());
      await inBatches(keys, 16, (key) => blobs.put(key, Buffer.from('x'), 'image/webp'));
      // A scratch file, finished or not, is never a blob.
      const scratch = await scratchFileWith(Buffer.from('being received'));

      const listed = new Map<string, Date>();
      for await (const page of blobs.list()) {
        expect(page.length).toBeGreaterThan(0);
        for (const listing of page) {
          expect(listing.key).toMatch(BLOB_KEY_PATTERN);
          expect(listing.lastModified).toBeInstanceOf(Date);
          expect(listed.has(listing.key), `listed twice: ${listing.key}`).toBe(false);
          listed.set(listing.key, listing.lastModified);
        }
      }
      expect(keys.filter((key) => !listed.has(key))).toEqual([]);
      expect([...listed.keys()].some((key) => scratch.endsWith(key))).toBe(false);

      await blobs.remove(...keys);
      const remaining = new Set<string>();
      for await (const page of blobs.list()) for (const listing of page) remaining.add(listing.key);
      expect(keys.filter((key) => remaining.has(key))).toEqual([]);
      await blobs.removeScratch(scratch);
    });

    it('refuses keys it never issued, for every operation, and stores nothing', async () => {
      const userId = newUser();
      const imageId = randomUUID();
      const refused = [
        '',
        `${userId}/../${imageId}.png`,
        `../${userId}/${imageId}.png`,
        `/${userId}/${imageId}.png`,
        `${userId}/${imageId}.exe`,
        `${userId}/${imageId}.PNG`,
        `${userId}/other/${imageId}.png`,
        `${userId}/${imageId}.png\0`,
        `${userId}\\${imageId}.png`,
        'db.json',
        'jwt-secret',
        `.tmp/${imageId}`,
        `${userId.toUpperCase()}/${imageId}.png`,
      ];
      const scratch = await scratchFileWith(Buffer.from('refused'));
      for (const key of refused) {
        await expect(blobs.put(key, Buffer.from('x'), 'image/png'), key).rejects.toThrow(/not a blob key/);
        await expect(blobs.putFile(key, scratch, 'image/png'), key).rejects.toThrow(/not a blob key/);
        await expect(blobs.read(key), key).rejects.toThrow(/not a blob key/);
        await expect(blobs.open(key), key).rejects.toThrow(/not a blob key/);
        await expect(blobs.stat(key), key).rejects.toThrow(/not a blob key/);
        await expect(blobs.localCopy(key), key).rejects.toThrow(/not a blob key/);
        await expect(blobs.remove(originalKey(userId), key), key).rejects.toThrow(/not a blob key/);
        await expect(blobs.directUrl(key, { ttlSeconds: 60, contentType: 'image/png' }), key).rejects.toThrow(/not a blob key/);
      }
      expect((await readFile(scratch)).toString()).toBe('refused');
      await blobs.removeScratch(scratch);
    });

    it('stores concurrent puts of different keys intact', async () => {
      const userId = newUser();
      const items = Array.from({ length: 24 }, (_, index) => ({
        key: originalKey(userId),
        bytes: randomBytes(20_000 + index * 997),
        fromFile: index % 2 === 0,
      }));
      await Promise.all(
        items.map(async (item) => {
          if (item.fromFile) await blobs.putFile(item.key, await scratchFileWith(item.bytes), 'image/png');
          else await blobs.put(item.key, item.bytes, 'image/png');
        }),
      );
      const read = await Promise.all(items.map((item) => blobs.read(item.key)));
      expect(read.map(sha256)).toEqual(items.map((item) => sha256(item.bytes)));
    });

    it('scratch paths are fresh each time; removeScratch and clearScratch take scratch files away', async () => {
      const first = await blobs.scratchPath();
      const second = await blobs.scratchPath();
      expect(first).not.toBe(second);
      await writeFile(first, 'left over');
      await blobs.removeScratch(first);
      expect(existsSync(first)).toBe(false);
      await blobs.removeScratch(first);

      const leftovers = await Promise.all([1, 2, 3].map(() => scratchFileWith(Buffer.from('left by a crash'))));
      expect(await blobs.clearScratch()).toBeGreaterThanOrEqual(3);
      for (const path of leftovers) expect(existsSync(path)).toBe(false);
      // Still usable afterwards.
      const key = originalKey(newUser());
      await blobs.putFile(key, await scratchFileWith(Buffer.from('after clearing')), 'image/png');
      expect((await blobs.read(key)).toString()).toBe('after clearing');
    });

    it('reports itself healthy', async () => {
      const health = await blobs.health();
      expect(health.ok).toBe(true);
      expect(health.status).toBe('ok');
    });
  });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map(work));
}
