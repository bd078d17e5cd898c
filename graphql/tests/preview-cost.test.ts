// What a targetSsim preview costs in encodes (issue 11 point 4, bench/previews.ts's job): the
// photo the preview bench uses, LadyBird 2560×1600 at 1600 px, SSIM 0.98. Every encode is
// recorded, so the tests count the proxy's trials and the full-size ones, and check that the
// answer stays exact: it reaches the target at full size, and the quality below it was tried at
// full size and does not. Skipped, and says so, where mate-backgrounds is not installed.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

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
const available = existsSync(LADYBIRD);
if (!available) console.warn('preview-cost: skipped, mate-backgrounds is missing (apt-get install mate-backgrounds)');

let pool: InstanceType<typeof SsimPool>;
beforeAll(() => {
  pool = new SsimPool(1);
});
afterAll(() => pool?.close());

async function target(format: string, targetSsim: number) {
  encodes.length = 0;
  const plan = validateCompressOptions({ width: 1600, format: format as never, targetSsim });
  const limits = { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: 100_000_000, timeoutSeconds: 120 };
  const job = { signal: new AbortController().signal, remainingMs: () => 120_000 };
  const result = await compressImage(pool, { input: LADYBIRD, originalFormat: 'JPEG', plan, limits }, job);
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
});
