// An image's facts, read from the original's metadata at upload and kept with its record, while
// everything Pixpress makes from it (thumbnail, rendition, compressions) carries no metadata.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.signUp('photographer');
});
afterAll(() => server.close());

const FACTS = 'photoFacts { camera lens exposureTime fNumber iso focalLength takenAt colourProfile }';

async function cameraJpeg(): Promise<Buffer> {
  return sharp(await makeImage(2400, 1600))
    .withExif({
      IFD0: { Make: 'Canon', Model: 'Canon EOS R5', DateTime: '2024:05:02 09:00:00' },
      IFD2: {
        ExposureTime: '1/250',
        FNumber: '28/10',
        ISOSpeedRatings: '400',
        FocalLength: '50/1',
        DateTimeOriginal: '2024:05:01 14:03:22',
        LensModel: 'RF50mm F1.8 STM',
      },
    })
    .withIccProfile('p3')
    .jpeg({ quality: 92 })
    .toBuffer();
}

async function fetchBytes(url: string): Promise<Buffer> {
  const response = await fetch(new URL(url, server.url));
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe("an image's facts", () => {
  it('reads camera, lens, exposure, date taken and colour profile from a JPEG with EXIF, and keeps them', async () => {
    const photo = await cameraJpeg();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const image = await uploadImage(server, token, photo, 'canon.jpg');
    const expected = {
      camera: 'Canon EOS R5',
      lens: 'RF50mm F1.8 STM',
      exposureTime: 0.004,
      fNumber: 2.8,
      iso: 400,
      focalLength: 50,
      takenAt: '2024-05-01T14:03:22',
      // What libvips's built-in Display P3 profile calls itself.
      colourProfile: 'sP3C',
    };
    const listed = await server.gql(`query($id: ID!) { image(id: $id) { ${FACTS} } }`, { id: image.id }, token);
    expect(listed.data?.image.photoFacts).toEqual(expected);
  });

  it('keeps no metadata in what it makes: thumbnail, display rendition and compressions have no EXIF', async () => {
    const photo = await cameraJpeg();
    const image = await uploadImage(server, token, photo, 'canon.jpg');
    const outputs = [];
    for (const format of ['JPEG', 'WEBP', 'AVIF', 'PNG']) {
      const result = await server.gql(
        `mutation($id: ID!, $options: CompressOptions!) { compressImage(imageId: $id, options: $options) { ... on Compression { url } } }`,
        { id: image.id, options: { format, width: 600 } },
        token,
      );
      outputs.push(result.data?.compressImage.url as string);
    }
    const urls = (await server.gql(`query($id: ID!) { image(id: $id) { thumbnailUrl displayUrl } }`, { id: image.id }, token)).data?.image;
    for (const url of [urls.thumbnailUrl, urls.displayUrl, ...outputs]) {
      const meta = await sharp(await fetchBytes(url)).metadata();
      expect(meta.exif, url).toBeUndefined();
      expect(meta.xmp, url).toBeUndefined();
    }
  });

  it('has none for a file that says nothing of itself', async () => {
    const image = await uploadImage(server, token, await makeImage(200, 150, 'png'), 'plain.png');
    const listed = await server.gql(`query($id: ID!) { image(id: $id) { ${FACTS} } }`, { id: image.id }, token);
    expect(listed.data?.image.photoFacts).toBeNull();
  });
});
