// AUTO with effort SMALLEST against libjpeg-turbo at quality 80 at equal SSIM: the target is
// turbo q80's SSIM (sharp's JPEG defaults: baseline, optimised Huffman coding, standard tables,
// from the same resized pixels), rounded down to 1e-4; the answer's bytes ÷ turbo's. Also AUTO at
// BALANCED for the same target, and how long each took, all in this run.
//
//   node bench/smallest.ts [photo.jpg ...]   (default: Elephants, Dune, LadyBird from mate-backgrounds; 1280 px)
//
// Goal (issue 11): SMALLEST at most 0.70x turbo q80's bytes on every photo.
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename } from 'node:path';
import sharp from 'sharp';
import { compressImage } from '../graphql/imaging/compress.ts';
import { validateCompressOptions } from '../graphql/imaging/compress-options.ts';
import { ssimPlaneOf } from '../graphql/imaging/prepared-pixels.ts';
import { SsimPool } from '../graphql/imaging/ssim-pool.ts';
import { WHITE } from '../graphql/imaging/encoders.ts';
import { PHOTO } from './lib/server.ts';

const WIDTH = 1280;
const photos =
  process.argv.length > 2
    ? process.argv.slice(2)
    : [PHOTO, '/usr/share/backgrounds/mate/nature/Dune.jpg', '/usr/share/backgrounds/mate/nature/LadyBird.jpg'];
for (const photo of photos) {
  if (!existsSync(photo)) {
    console.error(`${photo} not found: apt-get install mate-backgrounds, or pass photos`);
    process.exit(1);
  }
}
sharp.cache(false);
const pool = new SsimPool(1);
const limits = { maxBytes: Number.MAX_SAFE_INTEGER, maxPixels: 100_000_000, timeoutSeconds: 600 };
const job = { signal: new AbortController().signal, remainingMs: () => 600_000 };

console.log(`AUTO targetSsim = libjpeg-turbo q80's SSIM, ${WIDTH} px, one job at a time\n`);
console.log('photo                      turbo q80 B   SSIM    effort     format quality    bytes    SSIM   ratio      ms');
for (const photo of photos) {
  // The engine's own preparation (autoOrient, sRGB, lanczos3 inside WIDTH), so both start from the same pixels.
  const { data, info } = await sharp(photo)
    .autoOrient()
    .toColourspace('srgb')
    .resize(WIDTH, undefined, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = { data, width: info.width, height: info.height, channels: 3 as const };
  const turbo = await sharp(data, { raw: pixels }).jpeg({ quality: 80 }).toBuffer();
  const turboSsim = await pool.compare(pixels, await ssimPlaneOf(sharp(turbo), 3, 60, WHITE));
  const target = Math.floor(turboSsim * 1e4) / 1e4;
  for (const effort of ['BALANCED', 'SMALLEST'] as const) {
    const plan = validateCompressOptions({ width: WIDTH, format: 'AUTO', targetSsim: target, effort });
    const start = performance.now();
    const result = await compressImage(pool, { input: photo, originalFormat: 'JPEG', plan, limits }, job);
    const ms = performance.now() - start;
    console.log(
      `${basename(photo).padEnd(26)} ${String(turbo.length).padStart(11)} ${target.toFixed(4)}  ${effort.padEnd(9)}  ${result.format.padEnd(6)} ${String(result.quality).padStart(7)} ${String(result.data.length).padStart(8)}  ${result.ssim?.toFixed(4)}  ${(result.data.length / turbo.length).toFixed(3)}x ${ms.toFixed(0).padStart(7)}${effort === 'SMALLEST' ? '   (goal <= 0.70x)' : ''}`,
    );
  }
}
await pool.close();
console.log(
  `\nload average at the end (1/5/15 min, ${availableParallelism()} cores shared with others): ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}`,
);
