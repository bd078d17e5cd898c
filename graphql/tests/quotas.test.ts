import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from './fixtures.ts';
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
    // Originals and thumbnails of the ten, nothing of the two refused.
    const files = await storedKeys(server);
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
