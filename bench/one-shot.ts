// The one-shot job (compressUpload over HTTP: a large photograph to 1280 px, JPEG q80, 2 in
// flight) against the same job done by: the same sharp pipeline with the same settings called
// in-process, libvips' own CLI (vipsthumbnail) and ImageMagick (convert). All in this run, on
// this machine; ratios are throughput relative to the in-process pipeline.
//
//   node bench/one-shot.ts [photo.jpg] [jobs]     (default: mate-backgrounds' 5640×3172 photo, 24)
//
// The server runs in its own process (bench/lib/serve-child.ts), so its event-loop delay during
// the run is reported too: what other requests would wait while compressions run.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { encodePixels } from '../graphql/imaging/encoders.ts';
import { ssimOfPixels } from '../graphql/imaging/ssim.ts';
import { PHOTO, runConcurrently, startBenchServer } from './lib/server.ts';

const run = promisify(execFile);
const photo = process.argv[2] ?? PHOTO;
const jobs = Number(process.argv[3] ?? 24);
const IN_FLIGHT = 2;
const WIDTH = 1280;
const QUALITY = 80;
if (!existsSync(photo)) {
  console.error(`${photo} not found: apt-get install mate-backgrounds, or pass a photo`);
  process.exit(1);
}
const input = await readFile(photo);
const meta = await sharp(input).metadata();
console.log(
  `${photo}: ${meta.width}x${meta.height}, ${(input.length / 1e6).toFixed(1)} MB -> ${WIDTH} px JPEG q${QUALITY}, ${jobs} jobs, ${IN_FLIGHT} in flight\n`,
);

const out = await mkdtemp(join(tmpdir(), 'pixpress-bench-out-'));
const server = await startBenchServer();
const QUERY = `mutation($file: Upload!, $options: CompressOptions!) {
  compressUpload(file: $file, options: $options) { __typename ... on CompressedFile { bytes ssim base64 } ... on Error { message } }
}`;

interface Method {
  name: string;
  /** Does one job and returns its output. */
  job: (index: number) => Promise<Buffer>;
  note?: string;
  ms: number;
  output: Buffer;
}
type MethodSpec = Omit<Method, 'ms' | 'output'>;

const convert = async (index: number, extra: string[]) => {
  const target = join(out, `im-${index}.jpg`);
  await run('convert', [...extra, photo, '-auto-orient', '-resize', `${WIDTH}x${WIDTH}>`, '-strip', '-quality', String(QUALITY), target]);
  return readFile(target);
};
let lastSsim = 0;
const methodSpecs: MethodSpec[] = [
  {
    // The same decode, orientation, resize and encoder settings as the server's path.
    name: 'sharp in-process (baseline)',
    job: async () => {
      const { data, info } = await sharp(photo)
        .autoOrient()
        .resize(WIDTH, WIDTH, { fit: 'inside', withoutEnlargement: true })
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      return encodePixels({ data, width: info.width, height: info.height, channels: 3 }, 'JPEG', QUALITY, 60);
    },
  },
  {
    name: 'Pixpress compressUpload over HTTP',
    note: 'upload streamed in, SSIM measured, base64 back',
    job: async () => {
      const response = await server.upload(QUERY, { options: { width: WIDTH, format: 'JPEG', quality: QUALITY } }, input, 'photo.jpg');
      const result = response.data?.compressUpload;
      if (result?.__typename !== 'CompressedFile') throw new Error(JSON.stringify(response));
      lastSsim = result.ssim;
      return Buffer.from(result.base64, 'base64');
    },
  },
  {
    // libvips' CLI: shrink-on-load, lanczos3, metadata stripped; the system's libjpeg-turbo.
    name: 'vipsthumbnail CLI',
    job: async (index) => {
      const target = join(out, `vips-${index}.jpg`);
      await run('vipsthumbnail', [photo, '--size', `${WIDTH}x${WIDTH}`, '-o', `${target}[Q=${QUALITY},optimize_coding,strip]`]);
      return readFile(target);
    },
  },
  { name: 'ImageMagick convert', job: (index) => convert(index, []) },
  {
    // The size hint lets libjpeg decode at a fraction of full size, as libvips does.
    name: 'ImageMagick convert -define jpeg:size',
    job: (index) => convert(index, ['-define', `jpeg:size=${WIDTH * 2}x${WIDTH * 2}`]),
  },
];
const methods: Method[] = methodSpecs.map((method) => ({ ...method, ms: 0, output: Buffer.alloc(0) }));

// Rounds alternate the methods, so load from elsewhere on a shared machine hits all of them alike.
// Each round runs several jobs per lane: at a round's end one lane idles while the other finishes,
// and with two jobs a lane that tail was a tenth of the measurement.
const ROUNDS = 3;
// Warm-up, as many at once as the measurement runs: caches, JIT, and every SSIM worker (the
// pool starts one per concurrent job, and a worker's first SSIM runs unoptimised code).
for (const method of methods) await runConcurrently(2 * IN_FLIGHT, IN_FLIGHT, () => method.job(-1));
let loopP99 = 0;
let loopMax = 0;
const roundRatios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const count = Math.ceil(jobs / ROUNDS);
  const roundMs: number[] = [];
  for (const method of methods) {
    const isServer = method.name.startsWith('Pixpress');
    if (isServer) await server.resetLoopDelay();
    const ms = await runConcurrently(count, IN_FLIGHT, async (index) => {
      method.output = await method.job(round * count + index);
    });
    method.ms += ms;
    roundMs.push(ms);
    if (isServer) {
      const stats = await server.stats();
      loopP99 = Math.max(loopP99, stats.loopDelayP99Ms);
      loopMax = Math.max(loopMax, stats.loopDelayMaxMs);
    }
  }
  roundRatios.push(roundMs[0]! / roundMs[1]!);
}

// Apart from the throughput rounds (its requests would cost both processes CPU): a cheap query
// every 100 ms while the server compresses, which is what other users would wait.
const probeMs: number[] = [];
let probing = true;
const prober = (async () => {
  while (probing) {
    const start = performance.now();
    await server.gql('{ me { id } }');
    probeMs.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
})();
await runConcurrently(Math.ceil(jobs / ROUNDS), IN_FLIGHT, (index) => methods[1]!.job(index));
probing = false;
await prober;
const idleProbe: number[] = [];
for (let index = 0; index < 20; index++) {
  const start = performance.now();
  await server.gql('{ me { id } }');
  idleProbe.push(performance.now() - start);
}
await server.stop();
await rm(out, { recursive: true, force: true });

// Each output's SSIM, as Pixpress measures it, so that sizes are compared knowing the quality.
async function ssimOf(output: Buffer): Promise<number> {
  const decoded = await sharp(output).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = decoded.info;
  const reference = await sharp(photo).autoOrient().resize(width, height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return ssimOfPixels(
    { data: reference.data, width, height, channels: reference.info.channels },
    { data: decoded.data, width, height, channels },
  );
}

const total = Math.ceil(jobs / ROUNDS) * ROUNDS;
const baseline = methods[0]!;
console.log('job                                       jobs/s   ms/job   bytes    SSIM   throughput vs in-process');
for (const method of methods) {
  console.log(
    `${method.name.padEnd(40)} ${((total / method.ms) * 1000).toFixed(2).padStart(7)} ${(method.ms / total).toFixed(0).padStart(8)} ${String(method.output.length).padStart(7)}  ${(await ssimOf(method.output)).toFixed(4)}   ${(baseline.ms / method.ms).toFixed(2)}x${method.note ? `  (${method.note})` : ''}`,
  );
}
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
console.log(
  `\nPixpress / in-process throughput: ${(baseline.ms / methods[1]!.ms).toFixed(2)} (goal >= 0.85; rounds ${roundRatios.map((ratio) => ratio.toFixed(2)).join(', ')}); SSIM of its output ${lastSsim.toFixed(4)}`,
);
console.log(
  `a cheap query ({ me { id } }) while compressing: p50 ${percentile(probeMs, 50).toFixed(1)} ms, p99 ${percentile(probeMs, 99).toFixed(1)} ms (${probeMs.length} probes); idle p50 ${percentile(idleProbe, 50).toFixed(1)} ms`,
);
console.log(`server event-loop delay while compressing: p99 ${loopP99.toFixed(1)} ms, max ${loopMax.toFixed(1)} ms`);
console.log(
  `load average at the end (1/5/15 min, ${availableParallelism()} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
