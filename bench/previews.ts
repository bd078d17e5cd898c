// What a quality target costs in a live preview: previewCompression's engine work (SSIM measured,
// as the site's preview shows it) for targetSsim against a fixed quality of the same format, and
// AUTO against the fixed-quality JPEG, on a 2560×1600 photograph at 1600 px; median of several
// runs, one job at a time, all in this run.
//
//   node bench/previews.ts [photo.jpg] [runs] [width]   (default: mate-backgrounds' LadyBird, 5, 1600)
//
// Goals (issue 11): targetSsim at most 3x the fixed-quality preview of its format, AUTO at most 6x
// the JPEG one.
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import sharp from 'sharp';
import { type CompressedImage, compressImage } from '../graphql/imaging/compress.ts';
import { validateCompressOptions, type CompressOptionsInput } from '../graphql/imaging/compress-options.ts';
import { SsimPool } from '../graphql/imaging/ssim-pool.ts';

const photo = process.argv[2] ?? '/usr/share/backgrounds/mate/nature/LadyBird.jpg';
const runs = Number(process.argv[3] ?? 5);
const width = Number(process.argv[4] ?? 1600);
const TARGET = 0.98;
if (!existsSync(photo)) {
  console.error(`${photo} not found: apt-get install mate-backgrounds, or pass a photo`);
  process.exit(1);
}

sharp.cache(false);
const pool = new SsimPool(1);
const limits = { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: 100_000_000, timeoutSeconds: 600 };
const job = { signal: new AbortController().signal, remainingMs: () => 600_000 };

async function medianMs(options: CompressOptionsInput) {
  const plan = validateCompressOptions(options);
  const times: number[] = [];
  let last: CompressedImage | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    last = await compressImage(pool, { input: photo, originalFormat: 'JPEG', plan, limits }, job);
    times.push(performance.now() - start);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!, result: last! };
}

const meta = await sharp(photo).metadata();
console.log(`${photo}: ${meta.width}x${meta.height} -> ${width} px, median of ${runs}, one job at a time\n`);
console.log('job                               median ms   ratio   format quality    bytes    SSIM');
const show = (name: string, { ms, result }: Awaited<ReturnType<typeof medianMs>>, ratio: number, goal: number | null) =>
  console.log(
    `${name.padEnd(33)} ${ms.toFixed(0).padStart(9)} ${ratio.toFixed(2).padStart(6)}x  ${result.format.padEnd(6)} ${String(result.quality).padStart(7)} ${String(result.data.length).padStart(8)}  ${result.ssim?.toFixed(4)}${goal ? `   (goal <= ${goal}x)` : ''}`,
  );
// Warm-up: JIT, the SSIM worker.
await medianMs({ width, format: 'JPEG', quality: 80 });
const fixed = new Map<string, number>();
for (const format of ['JPEG', 'WEBP', 'AVIF'] as const) {
  const atQuality = await medianMs({ width, format, quality: 80 });
  fixed.set(format, atQuality.ms);
  show(`${format} quality 80`, atQuality, 1, null);
  const targeted = await medianMs({ width, format, targetSsim: TARGET });
  show(`${format} targetSsim ${TARGET}`, targeted, targeted.ms / atQuality.ms, 3);
}
const auto = await medianMs({ width, format: 'AUTO', targetSsim: TARGET });
show(`AUTO targetSsim ${TARGET} (vs JPEG)`, auto, auto.ms / fixed.get('JPEG')!, 6);
await pool.close();
console.log(
  `\nload average at the end (1/5/15 min, ${availableParallelism()} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
