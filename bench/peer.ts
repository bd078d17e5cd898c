// The core job against the seed's own stack, written well: a large photograph to a 1280 px JPEG at
// quality 80, two requests in flight, Pixpress's compressUpload over HTTP beside the FastAPI +
// Pillow peer (../shared/peers/seed-fastapi/app.py, /compress-threaded) in the same run, with raw
// sharp in-process and vipsthumbnail for scale, and the thinnest HTTP server around sharp (no API:
// bench/lib/bare-sharp-child.ts), whose efficiency is the ceiling for a server on sharp here. Prints
//
//   efficiency = (Pixpress images/s ÷ peer images/s) × (peer bytes ÷ Pixpress bytes)
//
// and every output's SSIM measured independently (ssim.js at full resolution, downsample off,
// against the original resized to the output size by sharp's lanczos3).
//
//   node bench/peer.ts [photo.jpg] [jobs]     (default: mate-backgrounds' 3840×2160 photo, 24)
//
// Needs python3-fastapi python3-uvicorn python3-pil python3-multipart, libvips-tools, mate-backgrounds.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { ssim as ssimJs } from 'ssim.js';
import { startBareSharp } from './lib/bare-sharp.ts';
import { cpuMs } from './lib/cpu.ts';
import { startPeer } from './lib/peer.ts';
import { runConcurrently, startBenchServer } from './lib/server.ts';

const run = promisify(execFile);
const photo = process.argv[2] ?? '/usr/share/backgrounds/mate/abstract/Elephants_3840x2160.jpg';
const jobs = Number(process.argv[3] ?? 24);
const IN_FLIGHT = 2;
const WIDTH = 1280;
const QUALITY = 80;
const ROUNDS = 3;
if (!existsSync(photo)) {
  console.error(`${photo} not found: apt-get install mate-backgrounds, or pass a photo`);
  process.exit(1);
}
const input = await readFile(photo);
const meta = await sharp(input).metadata();
console.log(
  `${photo}: ${meta.width}x${meta.height}, ${(input.length / 1e6).toFixed(1)} MB -> ${WIDTH} px JPEG q${QUALITY}, ${jobs} jobs a method, ${IN_FLIGHT} in flight\n`,
);

sharp.cache(false);
const out = await mkdtemp(join(tmpdir(), 'pixpress-bench-peer-'));
const peer = await startPeer();
const server = await startBenchServer();
const bare = await startBareSharp();
const compressUpload = (fields: string) => `mutation($file: Upload!, $options: CompressOptions!) {
  compressUpload(file: $file, options: $options) { __typename ... on CompressedFile { ${fields} } ... on Error { message } }
}`;
const pixpress = (fields: string) => async () => {
  const response = await server.upload(
    compressUpload(fields),
    { options: { width: WIDTH, format: 'JPEG', quality: QUALITY } },
    input,
    'photo.jpg',
  );
  const result = response.data?.compressUpload;
  if (result?.__typename !== 'CompressedFile') throw new Error(JSON.stringify(response));
  return Buffer.from(result.base64, 'base64');
};

interface Method {
  name: string;
  job: (index: number) => Promise<Buffer>;
  /** CPU time so far of the process that does this method's work (null off Linux). */
  cpu: () => number | null;
  ms: number;
  cpuMs: number;
  roundMs: number[];
  output: Buffer;
}
const methods: Method[] = (
  [
    { name: 'peer: FastAPI + Pillow (threaded)', job: () => peer.compress(input, WIDTH, QUALITY), cpu: () => cpuMs(peer.pid) },
    { name: 'Pixpress compressUpload', job: pixpress('bytes base64'), cpu: () => cpuMs(server.pid) },
    { name: 'Pixpress compressUpload + ssim', job: pixpress('bytes ssim base64'), cpu: () => cpuMs(server.pid) },
    { name: 'bare node:http + sharp (no API)', job: () => bare.compress(input, WIDTH, QUALITY), cpu: () => cpuMs(bare.pid) },
    {
      name: 'sharp in-process, libjpeg-turbo',
      cpu: () => cpuMs('self'),
      job: () =>
        sharp(photo).autoOrient().resize(WIDTH, WIDTH, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: QUALITY }).toBuffer(),
    },
    {
      name: 'sharp in-process, mozjpeg',
      cpu: () => cpuMs('self'),
      job: () =>
        sharp(photo)
          .autoOrient()
          .resize(WIDTH, WIDTH, { fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality: QUALITY, mozjpeg: true })
          .toBuffer(),
    },
    {
      name: 'vipsthumbnail CLI',
      cpu: () => cpuMs('self', { children: true }),
      job: async (index: number) => {
        const target = join(out, `vips-${index}.jpg`);
        await run('vipsthumbnail', [photo, '--size', `${WIDTH}x${WIDTH}`, '-o', `${target}[Q=${QUALITY},optimize_coding,strip]`]);
        return readFile(target);
      },
    },
  ] satisfies Array<Pick<Method, 'name' | 'job' | 'cpu'>>
).map((method) => ({ ...method, ms: 0, cpuMs: 0, roundMs: [], output: Buffer.alloc(0) }));

try {
  // Warm-up at the measured concurrency: JIT, caches, uvicorn's thread pool, Pixpress's workers.
  for (const method of methods) await runConcurrently(2 * IN_FLIGHT, IN_FLIGHT, () => method.job(-1));
  // Rounds alternate the methods, so load from elsewhere on a shared machine hits all alike.
  const perRound = Math.ceil(jobs / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const method of methods) {
      const cpuBefore = method.cpu();
      const ms = await runConcurrently(perRound, IN_FLIGHT, async (index) => {
        method.output = await method.job(round * perRound + index);
      });
      const cpuAfter = method.cpu();
      if (cpuBefore !== null && cpuAfter !== null) method.cpuMs += cpuAfter - cpuBefore;
      method.ms += ms;
      method.roundMs.push(ms);
    }
  }
} finally {
  await peer.stop();
  await server.stop();
  await bare.stop();
  await rm(out, { recursive: true, force: true });
}

async function independentSsim(output: Buffer): Promise<number> {
  const decoded = await sharp(output).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = decoded.info;
  const reference = await sharp(photo)
    .autoOrient()
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .ensureAlpha()
    .raw()
    .toBuffer();
  const image = (data: Buffer) => ({ data: new Uint8ClampedArray(data), width, height });
  return ssimJs(image(reference), image(decoded.data), { downsample: false }).mssim;
}

const total = Math.ceil(jobs / ROUNDS) * ROUNDS;
const [peerMethod, pixpressMethod, , bareMethod] = methods as [Method, Method, Method, Method];
const efficiency = (method: Method, round?: number) => {
  const speed = round === undefined ? peerMethod.ms / method.ms : peerMethod.roundMs[round]! / method.roundMs[round]!;
  return speed * (peerMethod.output.length / method.output.length);
};
const ssims = new Map<Method, number>();
for (const method of methods) ssims.set(method, await independentSsim(method.output));

// CPU per image of the process doing the work (the peer's uvicorn, Pixpress's server, this
// process for in-process sharp, the vipsthumbnail children), not counting the bench's client.
const cpuPerImage = (method: Method) => (method.cpuMs > 0 ? method.cpuMs / total : null);
console.log('method                               images/s  vs peer    bytes   bytes vs peer  SSIM     efficiency  CPU ms/image');
for (const method of methods) {
  const imagesPerSecond = (total / method.ms) * 1000;
  const cpu = cpuPerImage(method);
  console.log(
    `${method.name.padEnd(36)} ${imagesPerSecond.toFixed(2).padStart(8)} ${(peerMethod.ms / method.ms).toFixed(2).padStart(7)}x ${String(method.output.length).padStart(8)} ${(method.output.length / peerMethod.output.length).toFixed(3).padStart(13)}x  ${ssims.get(method)!.toFixed(4)}  ${efficiency(method).toFixed(2).padStart(10)}  ${cpu === null ? '-' : cpu.toFixed(0).padStart(12)}`,
  );
}
const ssimGap = ssims.get(pixpressMethod)! - ssims.get(peerMethod)!;
const [peerCpu, pixpressCpu] = [cpuPerImage(peerMethod), cpuPerImage(pixpressMethod)];
if (peerCpu !== null && pixpressCpu !== null) {
  console.log(
    `\nCPU per image: the peer ${peerCpu.toFixed(0)} ms, Pixpress's server ${pixpressCpu.toFixed(0)} ms (peer ÷ Pixpress ${(peerCpu / pixpressCpu).toFixed(2)}; ` +
      `× bytes = ${((peerCpu / pixpressCpu) * (peerMethod.output.length / pixpressMethod.output.length)).toFixed(2)}: efficiency counted in CPU time rather than wall time)`,
  );
}
console.log(
  `\nefficiency (Pixpress compressUpload vs peer): ${efficiency(pixpressMethod).toFixed(2)} ` +
    `= ${(peerMethod.ms / pixpressMethod.ms).toFixed(2)} (speed) × ${(peerMethod.output.length / pixpressMethod.output.length).toFixed(3)} (bytes); ` +
    `rounds ${pixpressMethod.roundMs.map((_, round) => efficiency(pixpressMethod, round).toFixed(2)).join(', ')}; goal >= 1.25, 1.5 hoped for`,
);
console.log(
  `the thinnest server around sharp (no API) reaches ${efficiency(bareMethod).toFixed(2)}: Pixpress has ${(efficiency(pixpressMethod) / efficiency(bareMethod)).toFixed(2)} of its efficiency ` +
    `(CPU per image ${cpuPerImage(bareMethod)?.toFixed(0) ?? '-'} ms against ${pixpressCpu?.toFixed(0) ?? '-'} ms)`,
);
console.log(
  `SSIM: Pixpress ${ssims.get(pixpressMethod)!.toFixed(4)}, peer ${ssims.get(peerMethod)!.toFixed(4)} (difference ${ssimGap >= 0 ? '+' : ''}${ssimGap.toFixed(4)}; must be >= -0.002)`,
);
console.log(
  `load average at the end (1/5/15 min, ${availableParallelism()} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
