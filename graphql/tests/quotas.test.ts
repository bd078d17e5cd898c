import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, storedKeys, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;
let photo: Buffer;

beforeAll(async () => {
  server = await startTestServer({ QUOTA_IMAGES: '10', QUOTA_FILES: '110' });
  photo = await makeImage(200, 150);
});
afterAll(() => server.close());

const usage = async (token: string) =>
  (await server.gql(`{ me { usage { images maxImages files maxFiles bytes } } }`, {}, token)).data?.me.usage;

describe('the image quota', () => {
  it('stores exactly 10 of 12 parallel uploads and refuses the rest with QuotaExceededError', async () => {
    const token = await server.signUp('parallel');
    const results = await Promise.all(Array.from({ length: 12 }, (_, index) => uploadImage(server, token, photo, `p${index}.jpg`)));
    const stored = results.filter((result) => result.__typename === 'Image');
    const refused = results.filter((result) => result.__typename === 'QuotaExceededError');
    expect(stored).toHaveLength(10);
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 10, message: 'You have reached your limit of 10 images.' });
    expect(await usage(token)).toEqual({ images: 10, maxImages: 10, files: 10, maxFiles: 110, bytes: 10 * photo.length });
    const listed = await server.gql(`{ images(first: 100) { totalCount } }`, {}, token);
    expect(listed.data?.images.totalCount).toBe(10);
    // Originals and thumbnails of the ten, nothing of the two refused (display renditions, which
    // count against no quota, aside).
    const files = (await storedKeys(server)).filter((file) => !file.includes('/renditions/'));
    const userDir = stored[0]!.url.split('/')[2];
    expect(files.filter((file) => String(file).startsWith(`${userDir}/`) && /\.(jpg|webp)$/.test(String(file)))).toHaveLength(20);
  });

  it('frees the slot of a failed upload', async () => {
    const token = await server.signUp('retrier');
    for (let index = 0; index < 9; index++) await uploadImage(server, token, photo, `ok${index}.jpg`);
    const invalid = await uploadImage(server, token, Buffer.from('not an image'), 'bad.jpg');
    expect(invalid.__typename).toBe('InvalidImageError');
    const tenth = await uploadImage(server, token, photo, 'tenth.jpg');
    expect(tenth.__typename).toBe('Image');
    expect((await uploadImage(server, token, photo, 'eleventh.jpg')).__typename).toBe('QuotaExceededError');
  });

  it('frees a slot when an image is deleted', async () => {
    const token = await server.signUp('freer');
    const images = [];
    for (let index = 0; index < 10; index++) images.push(await uploadImage(server, token, photo, `f${index}.jpg`));
    expect((await uploadImage(server, token, photo, 'over.jpg')).__typename).toBe('QuotaExceededError');
    await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id: images[0]!.id }, token);
    expect((await uploadImage(server, token, photo, 'again.jpg')).__typename).toBe('Image');
  });
});

describe('the file quota', () => {
  it('counts originals against QUOTA_FILES too', async () => {
    const small = await startTestServer({ QUOTA_IMAGES: '10', QUOTA_FILES: '3' });
    try {
      const token = await small.signUp('files');
      const results = await Promise.all(Array.from({ length: 5 }, () => uploadImage(small, token, photo)));
      expect(results.filter((result) => result.__typename === 'Image')).toHaveLength(3);
      const refused = results.find((result) => result.__typename === 'QuotaExceededError');
      expect(refused).toMatchObject({ limit: 3, message: 'You have reached your limit of 3 stored files.' });
    } finally {
      await small.close();
    }
  });
});

describe('the byte quota', () => {
  it('counts the bytes of originals and compressions, never lets parallel uploads pass it, and leaves no file of a refused one', async () => {
    // A noisy PNG (the fixtures are noise over a gradient) is large and stays large losslessly.
    const noisy = await makeImage(300, 300, 'png');
    const budget = 2 * noisy.length + 100;
    const small = await startTestServer({ QUOTA_IMAGES: '10', QUOTA_FILES: '100', QUOTA_BYTES: String(budget) });
    try {
      const token = await small.signUp('bytes');
      const results = await Promise.all(Array.from({ length: 5 }, (_, index) => uploadImage(small, token, noisy, `n${index}.png`)));
      expect(results.filter((result) => result.__typename === 'Image')).toHaveLength(2);
      const refused = results.filter((result) => result.__typename === 'QuotaExceededError');
      expect(refused).toHaveLength(3);
      expect(refused[0]).toMatchObject({ limit: budget });
      expect(refused[0]!.message).toMatch(/storage limit of .* delete something first/);
      const me = (await small.gql(`{ me { usage { bytes maxBytes } } }`, {}, token)).data?.me.usage;
      expect(me).toEqual({ bytes: 2 * noisy.length, maxBytes: budget });
      expect(me.bytes).toBeLessThanOrEqual(budget);
      // Originals and thumbnails of the two, nothing of the three refused (display renditions,
      // which count against no quota, aside).
      const ownFiles = async () => (await storedKeys(small)).filter((key) => !key.includes('/renditions/'));
      expect(await ownFiles()).toHaveLength(4);
      // A lossless compression of the same size does not fit either.
      const stored = results.find((result) => result.__typename === 'Image')!;
      const compressed = await small.gql(
        `mutation($id: ID!) { compressImage(imageId: $id, options: { format: PNG, quality: 100 }) { __typename ... on QuotaExceededError { limit } } }`,
        { id: stored.id },
        token,
      );
      expect(compressed.data?.compressImage).toEqual({ __typename: 'QuotaExceededError', limit: budget });
      expect(await ownFiles()).toHaveLength(4);
    } finally {
      await small.close();
    }
  });
});
