// What a targetSsim preview costs in encodes (issue 11 point 4, bench/previews.ts's job): the
// photo the preview bench uses, LadyBird 2560×1600 at 1600 px, SSIM 0.98. Every encode is
// recorded, so the tests count the proxy's trials and the full-size ones, and check that the
// answer stays exact: it reaches the target at full size, and the quality below it was tried at
// full size and does not. Skipped, and says so, where mate-backgrounds is not installed.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeGraphicWithGradient } from '../../testkit/fixtures.ts';

interface Encode {
  format: string;
  quality: number;
  effort: string;
  width: number;
  height: number;
  bytes: number;
}
const encodes: Encode[] = [];

vi.mock('../imaging/encoders.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../imaging/encoders.ts')>();
  return {
    ...original,
    encodePixels: async (...args: Parameters<typeof original.encodePixels>) => {
      const data = await original.encodePixels(...args);
      const [pixels, format, quality, , effort = 'BALANCED'] = args;
      encodes.push({ format, quality, effort, width: pixels.width, height: pixels.height, bytes: data.length });
      return data;
    },
  };
});

const { compressImage } = await import('../imaging/compress.ts');
const { validateCompressOptions } = await import('../imaging/compress-options.ts');
const { SsimPool } = await import('../imaging/ssim-pool.ts');

const LADYBIRD = '/usr/share/backgrounds/mate/nature/LadyBird.jpg';
const FRESH_FLOWER = '/usr/share/backgrounds/mate/nature/FreshFlower.jpg';
const available = existsSync(LADYBIRD) && existsSync(FRESH_FLOWER);
if (!available) console.warn('preview-cost: skipped, mate-backgrounds is missing (apt-get install mate-backgrounds)');

let pool: InstanceType<typeof SsimPool>;
let folder: string;
beforeAll(async () => {
  pool = new SsimPool(1);
  folder = await mkdtemp(join(tmpdir(), 'pixpress-preview-cost-'));
});
afterAll(async () => {
  await pool?.close();
  await rm(folder, { recursive: true, force: true });
});

async function screenWithGradient(): Promise<string> {
  const path = join(folder, 'screen-with-gradient.png');
  await writeFile(path, await makeGraphicWithGradient(1600, 1000));
  return path;
}

async function target(format: string, targetSsim: number, photo = LADYBIRD, width = 1600) {
  encodes.length = 0;
  const plan = validateCompressOptions({ width, format: format as never, targetSsim });
  const limits = { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: 100_000_000, timeoutSeconds: 120 };
  // One slot, nothing to lend: the order of the trials is the engine's own.
  const job = { signal: new AbortController().signal, remainingMs: () => 120_000 };
  const result = await compressImage(pool, { input: photo, originalFormat: 'JPEG', plan, limits }, job);
  const full = encodes.filter((encode) => encode.width === result.width);
  const proxy = encodes.filter((encode) => encode.width !== result.width);
  return { result, full, proxy };
}

describe.skipIf(!available)('a targetSsim preview of the preview bench photo', () => {
  it.each([
    // [format, proxy trials at most, full-size trials at most]
    ['JPEG', 4, 3],
    ['WEBP', 3, 2],
    ['AVIF', 4, 2],
  ] as const)('%s: a proxy search that stops at a bracket of 6, then the exact answer at full size', async (format, proxyMax, fullMax) => {
    const { result, full, proxy } = await target(format, 0.98);
    expect(result.format).toBe(format);
    expect(result.ssim).toBeGreaterThanOrEqual(0.98);
    expect(proxy.every((encode) => encode.format === format)).toBe(true);
    expect(proxy.length).toBeLessThanOrEqual(proxyMax);
    expect(full.length).toBeLessThanOrEqual(fullMax);
    // Exact: the quality below the answer was encoded at full size (and, being below, failed).
    expect(full.map((encode) => encode.quality)).toContain(result.quality - 1);
  });

  it("AUTO: AVIF's search first, then JPEG's and WebP's proxy searches stop against its answer", async () => {
    const { result, full, proxy } = await target('AUTO', 0.98);
    expect([result.format, result.quality]).toEqual(['AVIF', 75]);
    expect(proxy[0]?.format).toBe('AVIF');
    // AVIF 4, JPEG 4, WebP 2: WebP's second failing trial is already 1.25x past the best estimate.
    expect(proxy.filter((encode) => encode.format === 'WEBP').length).toBeLessThanOrEqual(2);
    expect(proxy.length).toBeLessThanOrEqual(10);
    // AVIF and JPEG are within 2 %, so both are searched to the exact answer at full size.
    expect(full.length).toBeLessThanOrEqual(5);
  });
});

describe.skipIf(!available)('AUTO on a smooth photograph', () => {
  it('weighs no palette PNG or lossless WebP for a photograph whose smooth background repeats its pixels', async () => {
    // FreshFlower at 1600 px: over half its pixels repeat their left neighbour (an out-of-focus
    // background, downsized to 8 bits), but the changes between them are gradient steps of one or
    // two levels, not edges. Taken for a graphic, its AUTO preview also made a lossless WebP and a
    // palette PNG (about 2.5 s of a 5.5 s preview) that could not win.
    const { result, full } = await target('AUTO', 0.98, FRESH_FLOWER, 1600);
    expect([result.format, result.quality]).toEqual(['AVIF', 24]);
    expect(full.filter((encode) => encode.format === 'PNG')).toEqual([]);
    expect(full.filter((encode) => encode.format === 'WEBP' && encode.quality === 100)).toEqual([]);
  });
});

// Made here, so it runs without mate-backgrounds too.
describe('AUTO on a graphic', () => {
  it('stops the palette PNG search once a failing trial is as large as the best answer so far', async () => {
    // A screen with a gradient banner is a graphic (its rows repeat their pixels; its marks are
    // edges), so AUTO weighs lossless WebP and palette PNG. Lossless WebP wins at a few KB; the
    // banner's gradient needs more colours than a palette PNG of that size can hold, so every
    // palette PNG fails and is larger: without the stop the search climbs towards q100.
    const { result, full } = await target('AUTO', 0.98, await screenWithGradient(), 1600);
    expect([result.format, result.quality]).toEqual(['WEBP', 100]);
    const palette = full.filter((encode) => encode.format === 'PNG');
    expect(palette.length).toBeGreaterThanOrEqual(1);
    expect(palette.length).toBeLessThanOrEqual(2);
    expect(palette.every((encode) => encode.bytes > result.data.length)).toBe(true);
  });
});
