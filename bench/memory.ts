// Peak memory of the server while 8 uploads of ~25 MB each are compressed at once (compressUpload,
// to 1280 px and at full size). The server runs in its own process; its peak RSS is the kernel's
// high-water mark (VmHWM). Goal: under 400 MB.
//
//   node bench/memory.ts [uploads]       (default 8; the photo is made once from mate-backgrounds)
//   BENCH_ONLY=full IMAGE_CONCURRENCY=1 MALLOC_ARENA_MAX=2 node bench/memory.ts   (variants)
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { mib, PHOTO, startBenchServer } from './lib/server.ts';

const uploads = Number(process.argv[2] ?? 8);
const BIG = join(tmpdir(), 'pixpress-bench-25mb.jpg');
const MAX_UPLOAD = 26_214_400;

/** A ~25 MB JPEG: the mate photo enlarged to 6100 px wide, quality 100, no chroma subsampling. */
async function bigPhoto(): Promise<Buffer> {
  if (existsSync(BIG)) return readFile(BIG);
  if (!existsSync(PHOTO)) throw new Error(`${PHOTO} not found: apt-get install mate-backgrounds`);
  const data = await sharp(PHOTO).resize(6100).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
  if (data.length > MAX_UPLOAD) throw new Error(`made ${data.length} bytes, over the upload limit`);
  await writeFile(BIG, data);
  return data;
}

const photo = await bigPhoto();
const meta = await sharp(photo).metadata();
console.log(
  `${uploads} concurrent uploads of ${(photo.length / 1e6).toFixed(1)} MB (${meta.width}x${meta.height}, ${((meta.width! * meta.height!) / 1e6).toFixed(1)} MP) each\n`,
);

// SSIM is measured only when selected; selecting it takes the path that keeps the resized pixels.
const query = (fields: string) => `mutation($file: Upload!, $options: CompressOptions!) {
  compressUpload(file: $file, options: $options) { __typename ... on CompressedFile { ${fields} } ... on Error { message } }
}`;

const only = process.env.BENCH_ONLY;
for (const [label, options, fields] of [
  ['to 1280 px, JPEG q80', { width: 1280, format: 'JPEG', quality: 80 }, 'bytes width height'],
  ['to 1280 px, JPEG q80, ssim selected', { width: 1280, format: 'JPEG', quality: 80 }, 'bytes width height ssim'],
  ['full size, JPEG q80', { format: 'JPEG', quality: 80 }, 'bytes width height'],
] as const) {
  if (only && !label.startsWith(only)) continue;
  // IMAGE_CONCURRENCY=1 node bench/memory.ts: the same with one pipeline at a time.
  const server = await startBenchServer(process.env.IMAGE_CONCURRENCY ? { IMAGE_CONCURRENCY: process.env.IMAGE_CONCURRENCY } : {});
  const idle = await server.stats();
  const start = performance.now();
  const results = await Promise.all(Array.from({ length: uploads }, () => server.upload(query(fields), { options }, photo, 'big.jpg')));
  const seconds = (performance.now() - start) / 1000;
  const stats = await server.stats();
  await server.stop();
  const ok = results.filter((result) => result.data?.compressUpload?.__typename === 'CompressedFile').length;
  const failures = results
    .filter((result) => result.data?.compressUpload?.__typename !== 'CompressedFile')
    .map((result) => JSON.stringify(result).slice(0, 200));
  console.log(`${label}: ${ok}/${uploads} done in ${seconds.toFixed(1)} s (${server.concurrency} at a time)`);
  console.log(
    `  server RSS idle ${mib(idle.rss)}, peak ${mib(stats.peakRss)} (goal < 400 MiB): ${stats.peakRss < 400 * 1024 * 1024 ? 'met' : 'NOT met'}`,
  );
  console.log(`  event-loop delay p99 ${stats.loopDelayP99Ms.toFixed(1)} ms, max ${stats.loopDelayMaxMs.toFixed(1)} ms`);
  for (const failure of failures) console.log(`  failed: ${failure}`);
}
console.log(
  `load average at the end (1/5/15 min, ${availableParallelism()} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
