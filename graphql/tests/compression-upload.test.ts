// compressUpload, the one-shot path: streamed in, returned as base64, nothing stored, no quota;
// and what reaches every output: orientation applied, metadata gone, colour converted to sRGB.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { scratchFiles, startTestServer, storedKeys, type TestServer } from './harness.ts';
import { compressOneShot, compressStored, independentSsim, sniffFormat, storeImage, COMPRESS_UPLOAD } from './compression-helpers.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  // No room for any stored file: the one-shot path must not need any.
  server = await startTestServer({ QUOTA_FILES: '0', QUOTA_IMAGES: '0', MAX_UPLOAD_BYTES: '2000000', MAX_INPUT_PIXELS: '4000000' });
  token = await server.signUp();
});
afterAll(() => server.close());

const bytesOf = (result: Record<string, any>) => Buffer.from(result.base64, 'base64');
const tempFiles = () => scratchFiles(server);

describe('compressUpload', () => {
  it('returns the downsized image in the response and stores nothing, without using any quota', async () => {
    const original = await makeImage(400, 300, 'png');
    const result = await compressOneShot(server, token, original, { width: 200, format: 'JPEG', quality: 75 }, 'photo.png');
    expect(result).toMatchObject({
      __typename: 'CompressedFile',
      format: 'JPEG',
      mimeType: 'image/jpeg',
      width: 200,
      height: 150,
      quality: 75,
    });
    const data = bytesOf(result);
    expect(sniffFormat(data)).toBe('JPEG');
    expect(result.bytes).toBe(data.length);
    expect(result.originalBytes).toBe(original.length);
    expect(result.savings).toBeCloseTo(1 - data.length / original.length, 10);
    expect(Math.abs(result.ssim - (await independentSsim(original, data)))).toBeLessThan(0.01);
    expect(await storedKeys(server)).toEqual([]);
    expect(await tempFiles()).toEqual([]);
  });

  it.each([
    ['jpeg', 'photo.jpg', 'JPEG'],
    ['png', 'photo.png', 'PNG'],
    ['webp', 'photo.webp', 'WEBP'],
    ['avif', 'photo.avif', 'AVIF'],
    ['gif', 'photo.gif', 'PNG'],
  ] as const)('keeps a %s original in its format by default', async (fixture, filename, format) => {
    const result = await compressOneShot(server, token, await makeImage(48, 36, fixture), { width: 24 }, filename);
    expect(result).toMatchObject({ __typename: 'CompressedFile', format, width: 24, height: 18 });
    expect(sniffFormat(bytesOf(result))).toBe(format);
  });

  it('meets targetSsim and maxBytes on the one-shot path too', async () => {
    const original = await makeImage(320, 240, 'jpeg');
    const bySsim = await compressOneShot(server, token, original, { format: 'WEBP', targetSsim: 0.93 });
    expect(bySsim.ssim).toBeGreaterThanOrEqual(0.93);
    expect(await independentSsim(original, bytesOf(bySsim))).toBeGreaterThanOrEqual(0.929);
    const byBytes = await compressOneShot(server, token, original, { format: 'JPEG', maxBytes: 6000 });
    expect(byBytes.bytes).toBeLessThanOrEqual(6000);
    const unreachable = await compressOneShot(server, token, original, { format: 'PNG', maxBytes: 1024 });
    expect(unreachable).toMatchObject({ __typename: 'TargetUnreachableError', code: 'TARGET_UNREACHABLE' });
  });

  it('answers bad options with a ValidationError and still reads the request to its end', async () => {
    const result = await compressOneShot(server, token, await makeImage(40, 30), { width: 0 });
    expect(result).toMatchObject({ __typename: 'ValidationError', field: 'options.width' });
    expect(await tempFiles()).toEqual([]);
  });

  it('refuses what is not an image, a truncated image, too many bytes and too many pixels', async () => {
    const notImage = await compressOneShot(server, token, Buffer.from('hello, not an image'), {}, 'x.jpg');
    expect(notImage).toMatchObject({ __typename: 'InvalidImageError', code: 'INVALID_IMAGE' });
    const jpeg = await makeImage(200, 150, 'jpeg');
    const truncated = await compressOneShot(server, token, jpeg.subarray(0, jpeg.length / 2), {}, 'cut.jpg');
    expect(truncated).toMatchObject({ __typename: 'InvalidImageError' });
    const tooLarge = await compressOneShot(server, token, Buffer.alloc(2_100_000, 1), {}, 'big.jpg');
    expect(tooLarge).toMatchObject({ __typename: 'FileTooLargeError', code: 'FILE_TOO_LARGE', maxBytes: 2_000_000, maxPixels: 4_000_000 });
    const manyPixels = await sharp({ create: { width: 2100, height: 2000, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const tooManyPixels = await compressOneShot(server, token, manyPixels, {}, 'wide.png');
    expect(tooManyPixels).toMatchObject({ __typename: 'FileTooLargeError', maxPixels: 4_000_000 });
    expect(await tempFiles()).toEqual([]);
  });

  it('requires a signed-in user', async () => {
    const response = await server.multipart(
      COMPRESS_UPLOAD,
      { file: null, options: {} },
      { file: { data: await makeImage(20, 20), filename: 'a.jpg' } },
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('every output', () => {
  it('is oriented as displayed and carries no EXIF, GPS or XMP, in every format', async () => {
    // 240×120 stored sideways (EXIF orientation 6: displayed 120×240), with GPS and camera data.
    const rotated = await makeImage(240, 120, 'jpeg', {
      orientation: 6,
      exif: {
        IFD0: { Make: 'Pixpress Test Cam' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
      },
    });
    const before = await sharp(rotated).metadata();
    expect(before.orientation).toBe(6);
    expect(before.exif?.includes(Buffer.from('Pixpress Test Cam'))).toBe(true);
    expect(before.exif?.includes(Buffer.from('N\0'))).toBe(true); // GPSLatitudeRef
    for (const format of ['JPEG', 'PNG', 'WEBP', 'AVIF']) {
      const result = await compressOneShot(server, token, rotated, { format, height: 60 });
      expect(result).toMatchObject({ __typename: 'CompressedFile', format, width: 30, height: 60 });
      const data = bytesOf(result);
      const meta = await sharp(data).metadata();
      expect([meta.width, meta.height]).toEqual([30, 60]);
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(data.includes(Buffer.from('Pixpress Test Cam'))).toBe(false);
      expect(data.includes(Buffer.from('Exif'))).toBe(false);
    }
  });

  it('converts colour from an embedded profile to sRGB and drops the profile', async () => {
    // A flat Display P3 red: the same numbers mean a more saturated red than sRGB's.
    const p3 = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .withIccProfile('p3')
      .png()
      .toBuffer();
    expect((await sharp(p3).metadata()).icc).toBeDefined();
    const storedNumbers = await sharp(p3, { ignoreIcc: true }).raw().toBuffer();
    expect(Math.abs(storedNumbers[0]! - 200)).toBeGreaterThan(3);
    const expected = await sharp(p3).resize(16).raw().toBuffer(); // sharp's own conversion to sRGB
    const result = await compressOneShot(server, token, p3, { width: 16, format: 'PNG', quality: 100 }, 'p3.png');
    const data = bytesOf(result);
    expect((await sharp(data).metadata()).icc).toBeUndefined();
    const pixels = await sharp(data).removeAlpha().raw().toBuffer();
    expect(Math.abs(pixels[0]! - expected[0]!)).toBeLessThanOrEqual(1);
    expect(Math.abs(pixels[0]! - storedNumbers[0]!)).toBeGreaterThan(3); // converted, not copied across
  });

  it('converts a 16-bit image with a Display P3 profile to sRGB too (sharp alone would keep P3 numbers)', async () => {
    const p3 = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 40, b: 40 } } })
      .toColourspace('rgb16')
      .withIccProfile('p3')
      .png()
      .toBuffer();
    expect((await sharp(p3).metadata()).depth).toBe('ushort');
    const result = await compressOneShot(server, token, p3, { format: 'PNG', quality: 100 }, 'p3-16.png');
    const data = bytesOf(result);
    expect((await sharp(data).metadata()).icc).toBeUndefined();
    const [red, green, blue] = await sharp(data).removeAlpha().raw().toBuffer();
    expect(Math.abs(red! - 200)).toBeLessThanOrEqual(2);
    expect(Math.abs(green! - 40)).toBeLessThanOrEqual(2);
    expect(Math.abs(blue! - 40)).toBeLessThanOrEqual(2);
  });

  it('keeps transparency where the format can, and puts it on white for JPEG (which AUTO avoids)', async () => {
    const halfTransparent = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0 } } })
      .composite([
        { input: { create: { width: 20, height: 40, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 1 } } }, left: 0, top: 0 },
      ])
      .png()
      .toBuffer();
    const webp = await compressOneShot(server, token, halfTransparent, { format: 'WEBP', quality: 90 }, 't.png');
    expect((await sharp(bytesOf(webp)).metadata()).hasAlpha).toBe(true);
    const jpeg = await compressOneShot(server, token, halfTransparent, { format: 'JPEG', quality: 90 }, 't.png');
    const pixel = await sharp(bytesOf(jpeg)).extract({ left: 35, top: 20, width: 1, height: 1 }).raw().toBuffer();
    expect([...pixel].every((value) => value > 245)).toBe(true);
    const auto = await compressOneShot(server, token, halfTransparent, { format: 'AUTO', targetSsim: 0.9 }, 't.png');
    expect(['WEBP', 'AVIF']).toContain(auto.format);
  });

  it('stored compressions of the rotated photo are clean too', async () => {
    const stored = await startTestServer();
    try {
      const owner = await stored.signUp();
      const rotated = await makeImage(120, 60, 'jpeg', { orientation: 8, exif: { IFD0: { Make: 'Cam' } } });
      const imageId = await storeImage(stored, owner, rotated);
      const result = await compressStored(stored, owner, imageId, { format: 'WEBP' });
      expect(result).toMatchObject({ width: 60, height: 120 });
      const meta = await sharp(Buffer.from(result.base64, 'base64')).metadata();
      expect(meta.exif).toBeUndefined();
    } finally {
      await stored.close();
    }
  });
});
