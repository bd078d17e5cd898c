// What a quality target costs in a live preview: previewCompression's engine work (SSIM measured,
// as the site's preview shows it) for targetSsim against a fixed quality of the same format, and
// AUTO against the fixed-quality JPEG, on a 2560×1600 photograph at 1600 px; median of several
// runs, one job at a time, all in this run. Jobs run as the server runs them: in an ImageQueue of
// one slot per core with one SSIM worker per core, so an AUTO preview on an otherwise idle machine
// searches its formats side by side in a lent slot; the AUTO row "one slot" shows the same job
// without a spare slot (a busy server). Process CPU time is printed beside the wall time.
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
import { ImageQueue } from '../graphql/imaging/queue.ts';
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
const cores = availableParallelism();
const pool = new SsimPool(cores);
const queue = new ImageQueue({ concurrency: cores, maxWaiting: 0, jobTimeoutMs: 600_000 });
const limits = { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: 100_000_000, timeoutSeconds: 600 };

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function medianMs(options: CompressOptionsInput, { oneSlot = false } = {}) {
  const plan = validateCompressOptions(options);
  const times: number[] = [];
  const cpu: number[] = [];
  let last: CompressedImage | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const cpuBefore = process.cpuUsage();
    last = await queue.run((job) =>
      compressImage(pool, { input: photo, originalFormat: 'JPEG', plan, limits }, oneSlot ? { ...job, spareSlot: () => null } : job),
    );
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  return { ms: median(times), cpuMs: median(cpu), result: last! };
}

const meta = await sharp(photo).metadata();
console.log(`${photo}: ${meta.width}x${meta.height} -> ${width} px, median of ${runs}, one job at a time, ${cores} slots\n`);
console.log('job                                 median ms   ratio   CPU ms   ratio   format quality    bytes    SSIM');
const show = (
  name: string,
  { ms, cpuMs, result }: Awaited<ReturnType<typeof medianMs>>,
  base: { ms: number; cpuMs: number } | null,
  goal: number | null,
) =>
  console.log(
    `${name.padEnd(35)} ${ms.toFixed(0).padStart(9)} ${(base ? ms / base.ms : 1).toFixed(2).padStart(6)}x ${cpuMs.toFixed(0).padStart(8)} ${(base ? cpuMs / base.cpuMs : 1).toFixed(2).padStart(6)}x  ${result.format.padEnd(6)} ${String(result.quality).padStart(7)} ${String(result.data.length).padStart(8)}  ${result.ssim?.toFixed(4)}${goal ? `   (goal <= ${goal}x)` : ''}`,
  );
// Warm-up: JIT, the SSIM workers.
await medianMs({ width, format: 'JPEG', quality: 80 });
const fixed = new Map<string, { ms: number; cpuMs: number }>();
for (const format of ['JPEG', 'WEBP', 'AVIF'] as const) {
  const atQuality = await medianMs({ width, format, quality: 80 });
  fixed.set(format, atQuality);
  show(`${format} quality 80`, atQuality, null, null);
  show(`${format} targetSsim ${TARGET}`, await medianMs({ width, format, targetSsim: TARGET }), atQuality, 3);
}
const autoOptions = { width, format: 'AUTO', targetSsim: TARGET } as const;
show(`AUTO targetSsim ${TARGET} (vs JPEG)`, await medianMs(autoOptions), fixed.get('JPEG')!, 6);
show('  the same in one slot', await medianMs(autoOptions, { oneSlot: true }), fixed.get('JPEG')!, null);
await pool.close();
console.log(
  `\nload average at the end (1/5/15 min, ${cores} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
