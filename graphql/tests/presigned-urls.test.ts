// With a bucket browsers can reach, file URLs are the bucket's own presigned GET URLs: the bytes
// never pass through Pixpress. (s3rver does not check signatures, so what is checked here is
// what Pixpress asks the bucket for: the object, its lifetime, type and download name.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_BACKEND, TEST_DATABASE_URL, TEST_S3_ENDPOINT } from './backends.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, uploadImage, type TestServer } from './harness.ts';

describe.skipIf(TEST_BACKEND !== 'postgres-s3' || !TEST_DATABASE_URL || !TEST_S3_ENDPOINT)(
  'presigned bucket URLs (FILE_URLS=presigned)',
  () => {
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      server = await startTestServer({ FILE_URLS: 'presigned', URL_TTL_SECONDS: '300' });
      token = await server.signUp('presigned');
    });
    afterAll(() => server?.close());

    it('hands out bucket URLs that serve the stored bytes with their type, lifetime and name', async () => {
      const photo = await makeImage(120, 80, 'png');
      const image = await uploadImage(server, token, photo, 'holiday.png');
      const url = new URL(image.url);
      expect(url.origin).toBe(new URL(TEST_S3_ENDPOINT!).origin);
      expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
      expect(url.searchParams.get('response-content-type')).toBe('image/png');
      expect(url.searchParams.get('response-content-disposition')).toContain('holiday.png');
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(photo)).toBe(true);

      const thumbnail = await fetch(image.thumbnailUrl);
      expect(thumbnail.status).toBe(200);
      expect((await thumbnail.arrayBuffer()).byteLength).toBeGreaterThan(0);
    });

    it('names each compression of an image distinctly in its Content-Disposition', async () => {
      const image = await uploadImage(server, token, await makeImage(400, 300), 'pier.jpg');
      const names: string[] = [];
      for (const options of [
        { format: 'WEBP', width: 200, quality: 70 },
        { format: 'WEBP', width: 100, quality: 70 },
        { format: 'JPEG', width: 200, quality: 80 },
      ]) {
        const result = await server.gql(
          `mutation($id: ID!, $options: CompressOptions!) { compressImage(imageId: $id, options: $options) { ... on Compression { url downloadName } } }`,
          { id: image.id, options },
          token,
        );
        const { url, downloadName } = result.data!.compressImage;
        expect(new URL(url).searchParams.get('response-content-disposition')).toBe(
          `attachment; filename="${downloadName}"; filename*=UTF-8''${downloadName}`,
        );
        const response = await fetch(url);
        expect(response.headers.get('content-disposition')).toContain(downloadName);
        names.push(downloadName);
      }
      expect(names).toEqual(['pier-200w-q70.webp', 'pier-100w-q70.webp', 'pier-200w-q80.jpg']);
    });

    it('stops answering for a deleted image', async () => {
      const image = await uploadImage(server, token, await makeImage(40, 40), 'gone.jpg');
      await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id: image.id }, token);
      expect((await fetch(image.url)).status).toBe(404);
    });
  },
);

describe.skipIf(TEST_BACKEND !== 'postgres-s3' || !TEST_DATABASE_URL || !TEST_S3_ENDPOINT)(
  'presigned bucket URLs for a public endpoint (S3_PUBLIC_ENDPOINT)',
  () => {
    // The same bucket server under another loopback name: what the instances use and what a
    // browser is given differ, and the URL given still has to work.
    const internal = new URL(TEST_S3_ENDPOINT ?? 'http://127.0.0.1');
    const publicEndpoint = `http://${internal.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}:${internal.port}`;
    let server: TestServer;
    let token: string;
    beforeAll(async () => {
      server = await startTestServer({ FILE_URLS: 'presigned', S3_PUBLIC_ENDPOINT: publicEndpoint });
      token = await server.signUp('presigned-public');
    });
    afterAll(() => server?.close());

    it('signs file URLs for the public endpoint, and they serve the stored bytes through it', async () => {
      const photo = await makeImage(90, 60, 'png');
      const image = await uploadImage(server, token, photo, 'public.png');
      for (const address of [image.url, image.thumbnailUrl]) {
        expect(new URL(address).origin).toBe(publicEndpoint);
        expect(new URL(address).origin).not.toBe(internal.origin);
      }
      const response = await fetch(image.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await response.arrayBuffer()).equals(photo)).toBe(true);
    });
  },
);
