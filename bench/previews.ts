// What a quality target costs in a live preview: previewCompression's engine work (SSIM measured,
// as the site's preview shows it) for targetSsim against a fixed quality of the same format, and
// AUTO against the fixed-quality JPEG, on a 2560×1600 photograph at 1600 px; median of several
// rounds of every job, one job at a time, all in this run. Jobs run as the server runs them: in an ImageQueue of
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

interface Job {
  name: string;
  options: CompressOptionsInput;
  oneSlot?: boolean;
  /** The job whose time this one is divided by, and the goal for the ratio. */
  base?: string;
  goal?: number;
}

/** One run of a job: wall and process CPU time (the SSIM workers are threads of this process). */
async function timeOnce({ options, oneSlot = false }: Job) {
  const plan = validateCompressOptions(options);
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  const result: CompressedImage = await queue.run((job) =>
    compressImage(pool, { input: photo, originalFormat: 'JPEG', plan, limits }, oneSlot ? { ...job, spareSlot: () => null } : job),
  );
  const used = process.cpuUsage(cpuBefore);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, result };
}

const jobs: Job[] = [];
for (const format of ['JPEG', 'WEBP', 'AVIF'] as const) {
  jobs.push({ name: `${format} quality 80`, options: { width, format, quality: 80 } });
  jobs.push({
    name: `${format} targetSsim ${TARGET}`,
    options: { width, format, targetSsim: TARGET },
    base: `${format} quality 80`,
    goal: 3,
  });
}
const autoOptions = { width, format: 'AUTO', targetSsim: TARGET } as const;
jobs.push({ name: `AUTO targetSsim ${TARGET} (vs JPEG)`, options: autoOptions, base: 'JPEG quality 80', goal: 6 });
jobs.push({ name: '  the same in one slot', options: autoOptions, oneSlot: true, base: 'JPEG quality 80' });

const meta = await sharp(photo).metadata();
console.log(`${photo}: ${meta.width}x${meta.height} -> ${width} px, median of ${runs} rounds (every job once a round), ${cores} slots\n`);
console.log('job                                 median ms   ratio   CPU ms   ratio   format quality    bytes    SSIM');
// Warm-up: JIT, the SSIM workers. Then rounds of every job in turn, so that a machine that speeds
// up or slows down moves a ratio's two sides together.
for (const job of jobs) await timeOnce(job);
const runsOf = new Map(jobs.map((job) => [job.name, [] as Array<Awaited<ReturnType<typeof timeOnce>>>]));
for (let round = 0; round < runs; round++) for (const job of jobs) runsOf.get(job.name)!.push(await timeOnce(job));
const medians = new Map(
  jobs.map((job) => {
    const measured = runsOf.get(job.name)!;
    return [
      job.name,
      { ms: median(measured.map((run) => run.ms)), cpuMs: median(measured.map((run) => run.cpuMs)), result: measured.at(-1)!.result },
    ];
  }),
);
for (const job of jobs) {
  const { ms, cpuMs, result } = medians.get(job.name)!;
  const base = job.base ? medians.get(job.base)! : null;
  console.log(
    `${job.name.padEnd(35)} ${ms.toFixed(0).padStart(9)} ${(base ? ms / base.ms : 1).toFixed(2).padStart(6)}x ${cpuMs.toFixed(0).padStart(8)} ${(base ? cpuMs / base.cpuMs : 1).toFixed(2).padStart(6)}x  ${result.format.padEnd(6)} ${String(result.quality).padStart(7)} ${String(result.data.length).padStart(8)}  ${result.ssim?.toFixed(4)}${job.goal ? `   (goal <= ${job.goal}x)` : ''}`,
  );
}
await pool.close();
console.log(
  `\nload average at the end (1/5/15 min, ${cores} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
