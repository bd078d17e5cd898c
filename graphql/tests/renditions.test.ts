// Display renditions: pages show a WebP at most 1600 px wide instead of the original. Made once at
// upload, written before the record like every file, counted against no quota, deleted with the
// image, and known to the sweep and to the "records and files agree" check.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeys } from '../store/ports.ts';
import { sweepStorage } from '../store/sweep.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, storageProblems, storedKeys, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;
let token: string;
let userId: string;

beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(30 * 1024 * 1024), MAX_INPUT_PIXELS: String(20_000_000) });
  token = await server.signUp('viewer');
  userId = (await server.gql(`{ me { id } }`, {}, token)).data?.me.id;
});
afterAll(() => server.close());

async function fetchBytes(url: string): Promise<Buffer> {
  const response = await fetch(new URL(url, server.url));
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const usage = async () => (await server.gql(`{ me { usage { images files bytes } } }`, {}, token)).data?.me.usage;

describe('display renditions', () => {
  it('makes a WebP at most 1600 px wide of an 8 MP photo, stores it beside the original, and counts it nowhere', async () => {
    const before = await usage();
    const photo = await makeImage(3264, 2448);
    const image = await uploadImage(server, token, photo, 'big.jpg');
    const listed = await server.gql(`query($id: ID!) { image(id: $id) { url displayUrl } }`, { id: image.id }, token);
    const { url, displayUrl } = listed.data!.image;
    expect(displayUrl).not.toBe(url);

    const shown = await fetchBytes(displayUrl);
    const meta = await sharp(shown).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 1600, 1200]);
    expect(meta.exif).toBeUndefined();
    expect(shown.length).toBeLessThan(photo.length / 4);
    expect((await fetchBytes(url)).equals(photo)).toBe(true);

    expect(await storedKeys(server)).toContain(blobKeys.rendition(userId, image.id));
    expect(await usage()).toEqual({ images: before.images + 1, files: before.files + 1, bytes: before.bytes + photo.length });
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });

  it('keeps none when it would not halve the bytes, and shows the original then', async () => {
    // Already what a rendition would be: 1000 px wide WebP at quality 80.
    const small = await sharp(await makeImage(1000, 750))
      .webp({ quality: 80, effort: 2 })
      .toBuffer();
    const image = await uploadImage(server, token, small, 'small.webp');
    const listed = await server.gql(`query($id: ID!) { image(id: $id) { url displayUrl } }`, { id: image.id }, token);
    expect(new URL(listed.data?.image.displayUrl, server.url).pathname).toBe(new URL(listed.data?.image.url, server.url).pathname);
    expect((await fetchBytes(listed.data?.image.displayUrl)).equals(small)).toBe(true);
    expect(await storedKeys(server)).not.toContain(blobKeys.rendition(userId, image.id));
  });

  it('goes with its image', async () => {
    const image = await uploadImage(server, token, await makeImage(2000, 1500), 'gone.jpg');
    const key = blobKeys.rendition(userId, image.id);
    expect(await storedKeys(server)).toContain(key);
    const deleted = await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id: image.id }, token);
    expect(deleted.data?.deleteImage.__typename).toBe('Deleted');
    expect(await storedKeys(server)).not.toContain(key);
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });

  it('is known to the sweep: an unnamed rendition is removed, a named one kept', async () => {
    const { records, blobs } = server.app.services;
    const kept = await uploadImage(server, token, await makeImage(2000, 1500), 'kept.jpg');
    const stray = blobKeys.rendition(userId, crypto.randomUUID());
    await blobs.put(
      stray,
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
        .webp()
        .toBuffer(),
      'image/webp',
    );
    expect((await storageProblems(server)).orphans).toEqual([stray]);

    const report = await sweepStorage(records, blobs, { graceMs: 0, clearScratch: false });
    expect(report).toMatchObject({ orphanFilesRemoved: [stray], imagesWithoutFiles: [] });
    expect(await storedKeys(server)).toContain(blobKeys.rendition(userId, kept.id));
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });
});
