// What a target costs: targetSsim, maxBytes and AUTO against a fixed-quality compression of the
// same photograph to the same size, through the engine itself (graphql/imaging/compress.ts, with
// its SSIM worker pool), one job at a time, median of several runs, all in this run.
//
//   node bench/targets.ts [photo.jpg] [runs]      (default: mate-backgrounds' 5640×3172 photo, 3)
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import sharp from 'sharp';
import { type CompressedImage, compressImage } from '../graphql/imaging/compress.ts';
import { validateCompressOptions, type CompressOptionsInput } from '../graphql/imaging/compress-options.ts';
import { SsimPool } from '../graphql/imaging/ssim-pool.ts';
import { PHOTO } from './lib/server.ts';

const photo = process.argv[2] ?? PHOTO;
const runs = Number(process.argv[3] ?? 3);
if (!existsSync(photo)) {
  console.error(`${photo} not found: apt-get install mate-backgrounds, or pass a photo`);
  process.exit(1);
}
const WIDTH = 1280;
const CASES: Array<[string, CompressOptionsInput]> = [
  ['JPEG quality 80 (baseline)', { width: WIDTH, format: 'JPEG', quality: 80 }],
  ['JPEG targetSsim 0.95', { width: WIDTH, format: 'JPEG', targetSsim: 0.95 }],
  ['JPEG targetSsim 0.98', { width: WIDTH, format: 'JPEG', targetSsim: 0.98 }],
  ['WEBP targetSsim 0.95', { width: WIDTH, format: 'WEBP', targetSsim: 0.95 }],
  ['JPEG maxBytes 150000', { width: WIDTH, format: 'JPEG', maxBytes: 150_000 }],
  ['AUTO (targetSsim 0.98)', { width: WIDTH, format: 'AUTO' }],
  ['AUTO targetSsim 0.95', { width: WIDTH, format: 'AUTO', targetSsim: 0.95 }],
];

sharp.cache(false);
const pool = new SsimPool(1);
const limits = { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: 100_000_000, timeoutSeconds: 600 };
const job = { signal: new AbortController().signal, remainingMs: () => 600_000 };
const meta = await sharp(photo).metadata();
console.log(`${photo}: ${meta.width}x${meta.height} -> ${WIDTH} px, median of ${runs} runs, one job at a time\n`);
console.log('job                          median ms   vs fixed  format quality    bytes    SSIM');
let baselineMs = 0;
for (const [name, options] of CASES) {
  const plan = validateCompressOptions(options);
  const times: number[] = [];
  let last: CompressedImage | undefined;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    last = await compressImage(pool, { input: photo, originalFormat: 'JPEG', plan, limits }, job);
    times.push(performance.now() - start);
  }
  const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  baselineMs ||= median;
  console.log(
    `${name.padEnd(28)} ${median.toFixed(0).padStart(9)} ${(median / baselineMs).toFixed(2).padStart(9)}x  ${last!.format.padEnd(6)} ${String(last!.quality).padStart(7)} ${String(last!.data.length).padStart(8)}  ${last!.ssim?.toFixed(4)}`,
  );
}
await pool.close();
console.log(
  `load average at the end (1/5/15 min, ${availableParallelism()} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
