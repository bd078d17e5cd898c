// Our SSIM against the ssim.js package it reproduces, its worker pool, and the quality search.
import sharp from 'sharp';
import { ssim as ssimJs } from 'ssim.js';
import { describe, expect, it } from 'vitest';
import { budgetSearch, qualityOnCurve, ssimSearch, ssimSearchFromCurve, type Trial } from '../imaging/search.ts';
import {
  luma,
  LUMA_MATRIX,
  newReferenceWindows,
  ssimAgainstWindows,
  ssimOfLuma,
  ssimOfPixels,
  type LumaPlane,
  type RawPixels,
} from '../imaging/ssim.ts';
import { SsimPool } from '../imaging/ssim-pool.ts';
import { makeImage } from '../../testkit/fixtures.ts';

async function decoded(data: Buffer, channels: 3 | 4 = 4): Promise<RawPixels> {
  let image = sharp(data);
  image = channels === 4 ? image.ensureAlpha() : image.removeAlpha();
  const { data: pixels, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data: pixels, width: info.width, height: info.height, channels: info.channels };
}

function bySsimJs(a: RawPixels, b: RawPixels): number {
  const image = (pixels: RawPixels) => ({ data: new Uint8ClampedArray(pixels.data), width: pixels.width, height: pixels.height });
  return ssimJs(image(a), image(b), { downsample: false }).mssim;
}

describe('SSIM', () => {
  it.each([
    ['jpeg', 10],
    ['jpeg', 60],
    ['jpeg', 95],
    ['webp', 30],
    ['avif', 40],
  ] as const)('agrees with ssim.js (downsample off) for %s quality %i', async (format, quality) => {
    const original = await makeImage(173, 131, 'png');
    const compressed = await sharp(original)
      .toFormat(format, { quality, ...(format === 'avif' ? { effort: 0 } : {}) })
      .toBuffer();
    const reference = await decoded(original);
    const candidate = await decoded(compressed);
    const expected = bySsimJs(reference, candidate);
    expect(Math.abs(ssimOfPixels(reference, candidate) - expected)).toBeLessThan(1e-9);
    // The same on 3-channel pixels (alpha plays no part).
    expect(Math.abs(ssimOfPixels(await decoded(original, 3), await decoded(compressed, 3)) - expected)).toBeLessThan(1e-9);
  });

  it('is 1 for identical images, and lower the worse the copy', async () => {
    const original = await decoded(await makeImage(64, 48, 'png'));
    expect(ssimOfPixels(original, original)).toBe(1);
    const poor = await decoded(
      await sharp(await makeImage(64, 48, 'png'))
        .jpeg({ quality: 5 })
        .toBuffer(),
    );
    const good = await decoded(
      await sharp(await makeImage(64, 48, 'png'))
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    expect(ssimOfPixels(original, poor)).toBeLessThan(ssimOfPixels(original, good));
  });

  it('takes luma with ssim.js integer weights', () => {
    const pixels = { data: Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]), width: 4, height: 1, channels: 3 };
    expect([...luma(pixels)]).toEqual([77, 149, 29, 18]);
  });

  it('gets the same luma from libvips (what the engine uses) as from ssim.js weights', async () => {
    const photo = await makeImage(97, 61, 'png');
    const pixels = await decoded(photo, 3);
    const { data } = await sharp(photo).recomb(LUMA_MATRIX).linear(1, 0.5).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(Buffer.from(data).equals(Buffer.from(luma(pixels)))).toBe(true);
  });

  it('runs in worker threads with the same result', async () => {
    const pool = new SsimPool(2);
    const plane = (pixels: RawPixels): LumaPlane => ({ data: luma(pixels), width: pixels.width, height: pixels.height });
    try {
      const reference = plane(await decoded(await makeImage(90, 70, 'png'), 3));
      const candidates = await Promise.all(
        [20, 50, 80].map(async (quality) =>
          plane(
            await decoded(
              await sharp(await makeImage(90, 70, 'png'))
                .jpeg({ quality })
                .toBuffer(),
              3,
            ),
          ),
        ),
      );
      const inWorkers = await Promise.all(candidates.map((candidate) => pool.compare(reference, candidate)));
      expect(inWorkers).toEqual(candidates.map((candidate) => ssimOfLuma(reference, candidate)));
      await expect(pool.compare(reference, { ...reference, width: 10 })).rejects.toThrow(/same size/);
    } finally {
      await pool.close();
    }
  });

  it("gives the same numbers, bit for bit, when a reference's window terms are kept for the next candidates", async () => {
    const plane = (pixels: RawPixels): LumaPlane => ({ data: luma(pixels), width: pixels.width, height: pixels.height });
    const jpegOf = async (image: Buffer, quality: number) => plane(await decoded(await sharp(image).jpeg({ quality }).toBuffer(), 3));
    const [first, second] = [await makeImage(120, 90, 'png'), await makeImage(120, 90, 'jpeg')];
    const references = [plane(await decoded(first, 3)), plane(await decoded(second, 3))];
    const candidates = [
      await Promise.all([15, 45, 75, 95].map((quality) => jpegOf(first, quality))),
      await Promise.all([15, 45, 75, 95].map((quality) => jpegOf(second, quality))),
    ];

    const kept = newReferenceWindows(references[0]!);
    expect(ssimOfLuma(references[0]!, candidates[0]![0]!, kept)).toBe(ssimOfLuma(references[0]!, candidates[0]![0]!));
    for (const candidate of candidates[0]!) expect(ssimAgainstWindows(kept, candidate)).toBe(ssimOfLuma(references[0]!, candidate));
    expect(() => ssimAgainstWindows(kept, { ...candidates[0]![0]!, width: 60 })).toThrow(/same size/);

    // Two searches at once, each with its own reference, on one worker and on two: a worker that
    // kept one reference's terms must never answer for the other's.
    for (const size of [1, 2]) {
      const pool = new SsimPool(size);
      try {
        const search = async (which: 0 | 1) => {
          const answers: number[] = [];
          for (const candidate of candidates[which]!) answers.push(await pool.compare(references[which]!, candidate, { repeated: true }));
          return answers;
        };
        const [a, b] = await Promise.all([search(0), search(1)]);
        expect(a).toEqual(candidates[0]!.map((candidate) => ssimOfLuma(references[0]!, candidate)));
        expect(b).toEqual(candidates[1]!.map((candidate) => ssimOfLuma(references[1]!, candidate)));
        expect(new Set([...a, ...b]).size).toBe(8);
      } finally {
        await pool.close();
      }
    }
  });
});

describe('quality search', () => {
  // A made-up encoder whose SSIM and size grow with quality, so the answer is known.
  const fakeEncoder = (ssimAt: (quality: number) => number, bytesAt: (quality: number) => number) => {
    const asked: number[] = [];
    const evaluate = async (quality: number): Promise<Trial> => {
      asked.push(quality);
      return { quality, ssim: ssimAt(quality), bytes: bytesAt(quality), data: Buffer.alloc(0) };
    };
    return { evaluate, asked };
  };
  const smoothSsim = (quality: number) => 1 - 0.5 * Math.exp(-quality / 25);
  const bytes = (quality: number) => Math.round(1000 * Math.exp(quality / 20));

  it.each([0.6, 0.8, 0.9, 0.95, 0.98])('finds the lowest quality reaching SSIM %f in few steps', async (target) => {
    const expected = Array.from({ length: 100 }, (_, index) => index + 1).find((quality) => smoothSsim(quality) >= target);
    const { evaluate, asked } = fakeEncoder(smoothSsim, bytes);
    const result = await ssimSearch(evaluate, target, 80);
    expect(result.above?.quality).toBe(expected);
    expect(new Set(asked).size).toBe(asked.length); // no quality encoded twice
    expect(asked.length).toBeLessThanOrEqual(8);
  });

  it('steps out from a good guess by a doubling step (the proxy path)', async () => {
    const expected = Array.from({ length: 100 }, (_, index) => index + 1).find((quality) => smoothSsim(quality) >= 0.9)!;
    for (const start of [expected - 3, expected, expected + 2]) {
      const { evaluate, asked } = fakeEncoder(smoothSsim, bytes);
      const result = await ssimSearch(evaluate, 0.9, start, { initialStep: 1 });
      expect(result.above?.quality).toBe(expected);
      expect(asked.length).toBeLessThanOrEqual(4);
    }
  });

  it('finds the lowest quality on a jagged curve too (bisection fallback)', async () => {
    const stepped = (quality: number) => Math.floor(quality / 7) / 15;
    const { evaluate } = fakeEncoder(stepped, bytes);
    const result = await ssimSearch(evaluate, 0.6, 50);
    expect(result.above?.quality).toBe(63);
    expect(result.below?.quality).toBe(62);
  });

  it('reports no answer when even quality 100 falls short', async () => {
    const { evaluate, asked } = fakeEncoder(() => 0.7, bytes);
    const result = await ssimSearch(evaluate, 0.9, 80);
    expect(result.above).toBeNull();
    expect(result.below?.quality).toBe(100);
    expect(asked.at(-1)).toBe(100);
  });

  it('finds the highest quality within a byte budget', async () => {
    const { evaluate } = fakeEncoder(smoothSsim, bytes);
    const result = await budgetSearch(evaluate, 20_000, 80);
    expect(result.below?.quality).toBe(59); // 1000·e^(59/20) ≈ 19 106; quality 60 gives 20 086
    expect((await budgetSearch(fakeEncoder(smoothSsim, () => 5000).evaluate, 1024, 80)).below).toBeNull();
  });

  it('finishes from a proxy curve that runs off the full image: the exact answer, in two trials when the offset holds', async () => {
    // The proxy reads 0.004 higher than the full image at every quality, and the first full-size
    // trial is placed by the raw proxy answer (too low): one trial measures the offset, the next
    // lands on the answer, and the one below proves it.
    const expected = Array.from({ length: 100 }, (_, index) => index + 1).find((quality) => smoothSsim(quality) >= 0.95)!;
    const curve = await Promise.all(
      [40, 50, 55, 60, 70].map((quality) => fakeEncoder((q) => smoothSsim(q) + 0.004, bytes).evaluate(quality)),
    );
    const proxyAnswer = Array.from({ length: 100 }, (_, index) => index + 1).find((quality) => smoothSsim(quality) + 0.004 >= 0.95)!;
    expect(proxyAnswer).toBeLessThan(expected);
    const { evaluate, asked } = fakeEncoder(smoothSsim, bytes);
    const result = await ssimSearchFromCurve(evaluate, 0.95, curve, proxyAnswer);
    expect(result.above?.quality).toBe(expected);
    expect(result.below?.quality).toBe(expected - 1);
    expect(asked).toHaveLength(3);
    // Started on the answer itself, two trials: the answer and the quality below it.
    const again = fakeEncoder(smoothSsim, bytes);
    expect((await ssimSearchFromCurve(again.evaluate, 0.95, curve, expected)).above?.quality).toBe(expected);
    expect(again.asked).toEqual([expected, expected - 1]);
  });

  it('finishes from a proxy curve that misleads: still the exact answer, by doubling steps and bisection', async () => {
    const stepped = (quality: number) => Math.floor(quality / 7) / 15;
    const misleading = await Promise.all([20, 30, 40].map((quality) => fakeEncoder(() => 0.99, bytes).evaluate(quality)));
    for (const start of [5, 40, 95]) {
      const { evaluate, asked } = fakeEncoder(stepped, bytes);
      const result = await ssimSearchFromCurve(evaluate, 0.6, misleading, start);
      expect(result.above?.quality).toBe(63);
      expect(result.below?.quality).toBe(62);
      expect(new Set(asked).size).toBe(asked.length);
      expect(asked.length).toBeLessThanOrEqual(14);
    }
  });

  it.each([
    [0.0004, 0.95],
    [0.0004, 0.97],
    [0.0008, 0.93],
    [0.0008, 0.97],
  ])(
    'finishes from a proxy curve whose offset drifts with quality (%f a quality, target %f): the exact answer in at most 4 trials',
    async (drift, target) => {
      // As on most of the mate-backgrounds photos: the full image's SSIM falls more slowly than the
      // mosaic's as quality drops. Read as a constant, the offset keeps under-predicting the move.
      const full = (quality: number) => smoothSsim(quality) + drift * (80 - quality);
      const curve = await Promise.all([30, 40, 50, 60, 70, 80, 90].map((quality) => fakeEncoder(smoothSsim, bytes).evaluate(quality)));
      const expected = Array.from({ length: 100 }, (_, index) => index + 1).find((quality) => full(quality) >= target)!;
      const { evaluate, asked } = fakeEncoder(full, bytes);
      const result = await ssimSearchFromCurve(evaluate, target, curve, qualityOnCurve(curve, target));
      expect(result.above?.quality).toBe(expected);
      expect(result.below?.quality).toBe(expected - 1);
      expect(asked.length).toBeLessThanOrEqual(4);
    },
  );

  it.each([
    [20, 0.95],
    [30, 0.97],
    [45, 0.95],
  ])(
    'finishes from a proxy curve whose answer is far off (the full image needs %i qualities less, target %f): the exact answer in at most 9 trials',
    async (shift, target) => {
      // As on FreshFlower's WebP (the mosaic needs q77, the full image q33): the proxy's curve ends
      // well above the answer, so it cannot say how far down to go; two full-size trials can.
      const full = (quality: number) => smoothSsim(quality + shift);
      const proxyAnswer = Array.from({ length: 100 }, (_, index) => index + 1).find((quality) => smoothSsim(quality) >= target)!;
      const curve = await Promise.all(
        [proxyAnswer - 6, proxyAnswer - 3, proxyAnswer, proxyAnswer + 6].map((quality) => fakeEncoder(smoothSsim, bytes).evaluate(quality)),
      );
      const expected = Array.from({ length: 100 }, (_, index) => index + 1).find((quality) => full(quality) >= target)!;
      const { evaluate, asked } = fakeEncoder(full, bytes);
      const result = await ssimSearchFromCurve(evaluate, target, curve, proxyAnswer);
      expect(result.above?.quality).toBe(expected);
      expect(result.below?.quality).toBe(expected - 1);
      expect(new Set(asked).size).toBe(asked.length);
      expect(asked.length).toBeLessThanOrEqual(9);
    },
  );

  it('stops when told to (AUTO abandons a format that cannot win)', async () => {
    const { evaluate, asked } = fakeEncoder(smoothSsim, bytes);
    const result = await ssimSearch(evaluate, 0.99, 50, { abandon: (trial) => trial.bytes > 10_000 });
    expect(result.abandoned).toBe(true);
    expect(asked).toHaveLength(1);
  });
});
