// The one-shot job (compressUpload over HTTP: a large photograph to 1280 px, JPEG q80, 2 in
// flight) against the same job done by: the same sharp pipeline with the same settings called
// in-process, libvips' own CLI (vipsthumbnail) and ImageMagick (convert). All in this run, on
// this machine; ratios are throughput relative to the in-process pipeline.
//
//   node bench/one-shot.ts [photo.jpg] [jobs]     (default: mate-backgrounds' 5640×3172 photo, 12)
//
// The server runs in its own process (bench/lib/serve-child.ts), so its event-loop delay during
// the run is reported too: what other requests would wait while compressions run.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { encodePixels } from '../graphql/imaging/encoders.ts';
import { PHOTO, runConcurrently, startBenchServer } from './lib/server.ts';

const run = promisify(execFile);
const photo = process.argv[2] ?? PHOTO;
const jobs = Number(process.argv[3] ?? 12);
const IN_FLIGHT = 2;
const WIDTH = 1280;
const QUALITY = 80;
if (!existsSync(photo)) {
  console.error(`${photo} not found: apt-get install mate-backgrounds, or pass a photo`);
  process.exit(1);
}
const input = await readFile(photo);
const meta = await sharp(input).metadata();
console.log(`${photo}: ${meta.width}x${meta.height}, ${(input.length / 1e6).toFixed(1)} MB -> ${WIDTH} px JPEG q${QUALITY}, ${jobs} jobs, ${IN_FLIGHT} in flight\n`);

const out = await mkdtemp(join(tmpdir(), 'pixpress-bench-out-'));
const results: Array<{ name: string; ms: number; bytes: number; note?: string }> = [];

async function measure(name: string, job: (index: number) => Promise<number>, note?: string) {
  let bytes = 0;
  await job(-1); // warm-up: caches, JIT, worker start
  const ms = await runConcurrently(jobs, IN_FLIGHT, async (index) => {
    bytes = await job(index);
  });
  results.push({ name, ms, bytes, note });
}

// 1. In-process: the same decode, orientation, resize and encoder settings as the server's path.
await measure('sharp in-process (baseline)', async () => {
  const { data, info } = await sharp(photo).autoOrient().resize(WIDTH, WIDTH, { fit: 'inside', withoutEnlargement: true }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const output = await encodePixels({ data, width: info.width, height: info.height, channels: 3 }, 'JPEG', QUALITY, 60);
  return output.length;
});

// 2. Pixpress over HTTP: upload streamed in, compressed, SSIM measured, base64 back.
const server = await startBenchServer();
const QUERY = `mutation($file: Upload!, $options: CompressOptions!) {
  compressUpload(file: $file, options: $options) { __typename ... on CompressedFile { bytes ssim base64 } ... on Error { message } }
}`;
let lastSsim = 0;
await server.resetLoopDelay();
await measure('Pixpress compressUpload over HTTP', async () => {
  const response = await server.upload(QUERY, { options: { width: WIDTH, format: 'JPEG', quality: QUALITY } }, input, 'photo.jpg');
  const result = response.data?.compressUpload;
  if (result?.__typename !== 'CompressedFile') throw new Error(JSON.stringify(response));
  lastSsim = result.ssim;
  return Buffer.from(result.base64, 'base64').length;
}, 'includes upload, SSIM and base64');
const stats = await server.stats();
await server.stop();

// 3. libvips' CLI: shrink-on-load, lanczos3, strip.
await measure('vipsthumbnail CLI', async (index) => {
  const target = join(out, `vips-${index}.jpg`);
  await run('vipsthumbnail', [photo, '--size', `${WIDTH}x`, '-o', `${target}[Q=${QUALITY},optimize_coding,strip]`]);
  return (await readFile(target)).length;
});

// 4. ImageMagick, as usually invoked, and with the JPEG size hint that lets libjpeg decode at 1/2 or 1/4.
const convert = async (index: number, extra: string[]) => {
  const target = join(out, `im-${index}.jpg`);
  await run('convert', [...extra, photo, '-auto-orient', '-resize', `${WIDTH}x${WIDTH}>`, '-strip', '-quality', String(QUALITY), target]);
  return (await readFile(target)).length;
};
await measure('ImageMagick convert', (index) => convert(index, []));
await measure('ImageMagick convert -define jpeg:size', (index) => convert(index, ['-define', `jpeg:size=${WIDTH * 2}x${WIDTH * 2}`]));
await rm(out, { recursive: true, force: true });

const baseline = results[0]!;
console.log('job                                       jobs/s   ms/job   bytes   throughput vs in-process');
for (const result of results) {
  const perSecond = (jobs / result.ms) * 1000;
  const ratio = baseline.ms / result.ms;
  console.log(
    `${result.name.padEnd(40)} ${perSecond.toFixed(2).padStart(7)} ${(result.ms / jobs).toFixed(0).padStart(8)} ${String(result.bytes).padStart(7)}   ${ratio.toFixed(2)}x${result.note ? `  (${result.note})` : ''}`,
  );
}
const pixpress = results[1]!;
console.log(`\nPixpress / in-process throughput: ${(baseline.ms / pixpress.ms).toFixed(2)} (goal >= 0.85)`);
console.log(`server during its run: event-loop delay p99 ${stats.loopDelayP99Ms.toFixed(1)} ms, max ${stats.loopDelayMaxMs.toFixed(1)} ms; SSIM of the output ${lastSsim.toFixed(4)}`);
