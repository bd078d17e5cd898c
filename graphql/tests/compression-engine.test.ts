// The core job's engine choices: SSIM measured only when a client selects it (however it selects
// it), JPEG quality numbers that mean libjpeg's, lossless WebP, and CompressOptions.effort.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGraphic, makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { compressOneShot, compressStored, independentSsim, preview, sniffFormat, storeImage } from './compression-helpers.ts';

let server: TestServer;
let token: string;
let photo: Buffer;
let photoId: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.signUp();
  photo = await makeImage(640, 480, 'jpeg');
  photoId = await storeImage(server, token, photo);
});
afterAll(() => server.close());

const bytesOf = (result: Record<string, any>) => Buffer.from(result.base64, 'base64');

async function oneShot(selection: string, variables: Record<string, unknown> = {}, declarations = '', fragments = '') {
  const query = `mutation($file: Upload!, $options: CompressOptions! ${declarations}) {
    compressUpload(file: $file, options: $options) { __typename ${selection} ... on Error { code message } }
  } ${fragments}`;
  const response = await server.multipart(
    query,
    { file: null, options: { width: 320, format: 'JPEG', quality: 80 }, ...variables },
    { file: { data: photo, filename: 'photo.jpg' } },
    token,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.compressUpload as Record<string, any>;
}

describe('SSIM on request', () => {
  it('gives the same bytes whether or not ssim is selected (one pipeline or two)', async () => {
    const without = await oneShot('... on CompressedFile { bytes base64 }');
    const withSsim = await oneShot('... on CompressedFile { bytes ssim base64 }');
    expect(bytesOf(without).equals(bytesOf(withSsim))).toBe(true);
    expect(withSsim.ssim).toBeCloseTo(await independentSsim(photo, bytesOf(withSsim)), 2);
  });

  it.each([
    ['an alias', '... on CompressedFile { similarity: ssim }', {}, '', '', 'similarity'],
    ['a named fragment', '...Result', {}, '', 'fragment Result on CompressedFile { ssim }', 'ssim'],
    ['a fragment on the union', '...Either', {}, '', 'fragment Either on CompressUploadResult { ... on CompressedFile { ssim } }', 'ssim'],
    ['a fragment spread twice', '...Result ...Result', {}, '', 'fragment Result on CompressedFile { ssim }', 'ssim'],
    ['@include(if: true)', '... on CompressedFile { ssim @include(if: $want) }', { want: true }, ', $want: Boolean!', '', 'ssim'],
    ['@skip(if: false)', '... on CompressedFile @skip(if: $skip) { ssim }', { skip: false }, ', $skip: Boolean!', '', 'ssim'],
  ])('measures it when it is selected through %s', async (_how, selection, variables, declarations, fragments, key) => {
    const result = await oneShot(selection, variables, declarations, fragments);
    expect(typeof result[key]).toBe('number');
    expect(result[key]).toBeGreaterThan(0.5);
  });

  it('does not measure it when it is skipped, and previews measure it only when asked', async () => {
    const skipped = await oneShot('... on CompressedFile { bytes ssim @include(if: $want) }', { want: false }, ', $want: Boolean!');
    expect(skipped).not.toHaveProperty('ssim');
    const response = await server.gql(
      `query($id: ID!) { previewCompression(imageId: $id, options: { width: 320, quality: 80 }) { ... on CompressedFile { bytes ssim base64 } } }`,
      { id: photoId },
      token,
    );
    const measured = response.data!.previewCompression;
    expect(measured.ssim).toBeGreaterThan(0.5);
    const unmeasured = await server.gql(
      `query($id: ID!) { previewCompression(imageId: $id, options: { width: 320, quality: 80 }) { ... on CompressedFile { bytes base64 } } }`,
      { id: photoId },
      token,
    );
    expect(unmeasured.data!.previewCompression.base64).toBe(measured.base64);
  });

  it('stores compressions with their SSIM whatever the client selected', async () => {
    const response = await server.gql(
      `mutation($id: ID!) { compressImage(imageId: $id, options: { width: 320, quality: 80 }) { ... on Compression { id } } }`,
      { id: photoId },
      token,
    );
    const id = response.data!.compressImage.id;
    const stored = await server.gql(`query($id: ID!) { compression(id: $id) { ssim } }`, { id }, token);
    expect(stored.data!.compression.ssim).toBeGreaterThan(0.5);
  });
});

const run = promisify(execFile);
const hasImageMagick = existsSync('/usr/bin/convert');

describe('quality numbers', () => {
  // ImageMagick links the system's libjpeg(-turbo), not sharp's: an independent libjpeg.
  it.skipIf(!hasImageMagick)('JPEG at a given quality is as good as libjpeg at that number, and no larger', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pixpress-libjpeg-'));
    try {
      // At the output size already, so both encode the same pixels.
      const pixels = await sharp(await makeImage(640, 480, 'png'))
        .png()
        .toBuffer();
      await writeFile(join(folder, 'in.png'), pixels);
      for (const quality of [50, 80, 92]) {
        await run('convert', [
          join(folder, 'in.png'),
          '-quality',
          String(quality),
          '-sampling-factor',
          '2x2',
          '-define',
          'jpeg:optimize-coding=true',
          join(folder, `q${quality}.jpg`),
        ]);
        const libjpeg = await readFile(join(folder, `q${quality}.jpg`));
        const ours = bytesOf(await compressOneShot(server, token, pixels, { format: 'JPEG', quality }, 'in.png'));
        const [ourSsim, theirSsim] = [await independentSsim(pixels, ours), await independentSsim(pixels, libjpeg)];
        expect(ourSsim, `q${quality}`).toBeGreaterThanOrEqual(theirSsim - 0.002);
        expect(ours.length, `q${quality}`).toBeLessThanOrEqual(libjpeg.length);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('WebP at quality 100 is lossless WebP', async () => {
    const result = await compressStored(server, token, photoId, { format: 'WEBP', width: 320, quality: 100 });
    const data = bytesOf(result);
    expect(sniffFormat(data)).toBe('WEBP');
    expect(data.subarray(12, 16).toString('latin1')).toBe('VP8L');
    expect(result.ssim).toBe(1);
    const lossy = await compressStored(server, token, photoId, { format: 'WEBP', width: 320, quality: 99 });
    expect(data.subarray(12, 16).toString('latin1')).not.toBe(bytesOf(lossy).subarray(12, 16).toString('latin1'));
  });
});

describe('AUTO on graphics', () => {
  it('weighs palette PNG and lossless WebP, and is never larger than a single format at the same target', async () => {
    const graphicId = await storeImage(server, token, await makeGraphic(640, 400), 'screen.png');
    const target = 0.98;
    const auto = await preview(server, token, graphicId, { format: 'AUTO', targetSsim: target });
    expect(['PNG', 'WEBP']).toContain(auto.format);
    expect(auto.ssim).toBeGreaterThanOrEqual(target);
    for (const format of ['JPEG', 'WEBP', 'AVIF', 'PNG']) {
      const single = await preview(server, token, graphicId, { format, targetSsim: target });
      if (single.__typename === 'CompressedFile') expect(auto.bytes, format).toBeLessThanOrEqual(single.bytes);
    }
  });
});

describe('effort', () => {
  it('SMALLEST meets the target at full size in no more bytes than BALANCED', async () => {
    const options = { format: 'AVIF', width: 320, targetSsim: 0.95 };
    const balanced = await preview(server, token, photoId, { ...options, effort: 'BALANCED' });
    const smallest = await preview(server, token, photoId, { ...options, effort: 'SMALLEST' });
    expect(smallest.ssim).toBeGreaterThanOrEqual(0.95);
    expect(await independentSsim(photo, bytesOf(smallest))).toBeGreaterThan(0.94);
    expect(smallest.bytes).toBeLessThanOrEqual(balanced.bytes);
  });

  it('FAST and SMALLEST change how WebP is encoded, not what the quality number means', async () => {
    const fast = await preview(server, token, photoId, { format: 'WEBP', width: 320, quality: 80, effort: 'FAST' });
    const smallest = await preview(server, token, photoId, { format: 'WEBP', width: 320, quality: 80, effort: 'SMALLEST' });
    expect(fast.base64).not.toBe(smallest.base64);
    expect(Math.abs(fast.ssim - smallest.ssim)).toBeLessThan(0.01);
  });

  it('refuses an effort that is not one of the three', async () => {
    const response = await server.gql(
      `query($id: ID!) { previewCompression(imageId: $id, options: { effort: HARDEST }) { __typename } }`,
      { id: photoId },
      token,
    );
    expect(response.errors?.[0]?.message).toMatch(/HARDEST/);
  });
});
