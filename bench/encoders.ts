// Which encoder settings to use: bytes at equal SSIM and encode time per setting, on real
// photographs downsized to 1280 px (the common job). Every figure is measured in this run; the
// ratios are against libjpeg-turbo's defaults (sharp without mozjpeg) on the same photo.
//
//   node bench/encoders.ts [photo.jpg …]    (default: Debian's mate-backgrounds photos)
//
//   node bench/encoders.ts --same-number [photo.jpg …]
//
// compares JPEG settings at the same quality number instead: SSIM and bytes against libjpeg's
// (what Pillow, ImageMagick and Squoosh's "browser JPEG" give for that number), and encode time.
//
// For each setting and SSIM target, a bisection over quality finds the lowest quality whose
// output reaches the target (SSIM as Pixpress measures it: luma, full resolution, ssim.js
// "weber" with downsample off); the bytes there and the encode time at that quality are printed.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { ssimOfPixels, type RawPixels } from '../graphql/imaging/ssim.ts';

const DEFAULT_PHOTOS = [
  '/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg',
  '/usr/share/backgrounds/mate/nature/LadyBird.jpg',
  '/usr/share/backgrounds/mate/nature/Storm.jpg',
];
const TARGETS = [0.95, 0.98];
const WIDTH = 1280;
const TIMING_RUNS = 3;

type Encode = (image: Sharp, quality: number) => Sharp;
interface Setting {
  name: string;
  encode: Encode;
}

const SETTINGS: Setting[] = [
  { name: 'jpeg libjpeg-turbo (baseline)', encode: (s, q) => s.jpeg({ quality: q }) },
  { name: 'jpeg turbo progressive', encode: (s, q) => s.jpeg({ quality: q, progressive: true }) },
  { name: 'jpeg mozjpeg (chosen)', encode: (s, q) => s.jpeg({ quality: q, mozjpeg: true }) },
  { name: 'webp effort 2', encode: (s, q) => s.webp({ quality: q, effort: 2 }) },
  { name: 'webp effort 3', encode: (s, q) => s.webp({ quality: q, effort: 3 }) },
  { name: 'webp effort 4 (chosen)', encode: (s, q) => s.webp({ quality: q, effort: 4 }) },
  { name: 'webp effort 6', encode: (s, q) => s.webp({ quality: q, effort: 6 }) },
  { name: 'avif effort 2 4:2:0', encode: (s, q) => s.avif({ quality: q, effort: 2, chromaSubsampling: '4:2:0' }) },
  { name: 'avif effort 2 4:4:4', encode: (s, q) => s.avif({ quality: q, effort: 2, chromaSubsampling: '4:4:4' }) },
  { name: 'avif effort 0 4:2:0', encode: (s, q) => s.avif({ quality: q, effort: 0, chromaSubsampling: '4:2:0' }) },
  { name: 'avif effort 1 4:2:0 (chosen)', encode: (s, q) => s.avif({ quality: q, effort: 1, chromaSubsampling: '4:2:0' }) },
  // Effort 4 (sharp's default) is an order of magnitude slower than effort 2; BENCH_AVIF4=1 includes it.
  ...(process.env.BENCH_AVIF4
    ? [{ name: 'avif effort 4 4:2:0', encode: ((s, q) => s.avif({ quality: q, effort: 4, chromaSubsampling: '4:2:0' })) as Encode }]
    : []),
  { name: 'png palette effort 1', encode: (s, q) => s.png({ palette: true, quality: q, effort: 1 }) },
  { name: 'png palette effort 4', encode: (s, q) => s.png({ palette: true, quality: q, effort: 4 }) },
  { name: 'png palette effort 7 (chosen)', encode: (s, q) => s.png({ palette: true, quality: q, effort: 7 }) },
  { name: 'png palette effort 4 level 9', encode: (s, q) => s.png({ palette: true, quality: q, effort: 4, compressionLevel: 9 }) },
];

interface Prepared {
  raw: Buffer;
  pixels: RawPixels;
}

async function prepare(photo: string): Promise<Prepared> {
  const { data, info } = await sharp(photo).rotate().resize(WIDTH).raw().toBuffer({ resolveWithObject: true });
  return { raw: data, pixels: { data, width: info.width, height: info.height, channels: info.channels } };
}

async function measure(prepared: Prepared, setting: Setting, quality: number): Promise<{ bytes: number; ssim: number; buffer: Buffer }> {
  const { width, height, channels } = prepared.pixels;
  const buffer = await setting.encode(sharp(prepared.raw, { raw: { width, height, channels: channels as 3 } }), quality).toBuffer();
  const decoded = await sharp(buffer).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const ssim = ssimOfPixels(prepared.pixels, {
    data: decoded.data,
    width: decoded.info.width,
    height: decoded.info.height,
    channels: decoded.info.channels,
  });
  return { bytes: buffer.length, ssim, buffer };
}

async function encodeMs(prepared: Prepared, setting: Setting, quality: number): Promise<number> {
  const { width, height, channels } = prepared.pixels;
  let best = Infinity;
  for (let run = 0; run < TIMING_RUNS; run++) {
    const start = performance.now();
    await setting.encode(sharp(prepared.raw, { raw: { width, height, channels: channels as 3 } }), quality).toBuffer();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Lowest quality reaching the target, by bisection; null when even 100 falls short. */
async function lowestQuality(prepared: Prepared, setting: Setting, target: number) {
  let low = 1;
  let high = 100;
  let found: { quality: number; bytes: number; ssim: number } | null = null;
  const top = await measure(prepared, setting, 100);
  if (top.ssim < target) return null;
  found = { quality: 100, bytes: top.bytes, ssim: top.ssim };
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const result = await measure(prepared, setting, mid);
    if (result.ssim >= target) {
      high = mid;
      found = { quality: mid, bytes: result.bytes, ssim: result.ssim };
    } else {
      low = mid + 1;
    }
  }
  return found;
}

// BENCH_ONLY=jpeg,avif limits the run to settings whose name starts with one of these.
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const settings = SETTINGS.filter(
  (setting) => !only || setting.name === SETTINGS[0]!.name || only.some((prefix) => setting.name.startsWith(prefix)),
);

const sameNumber = process.argv.includes('--same-number');
const photoArgs = process.argv.slice(2).filter((arg) => arg !== '--same-number');
const photos = (photoArgs.length ? photoArgs : DEFAULT_PHOTOS).filter((photo) => {
  if (existsSync(photo)) return true;
  console.error(`skipping ${photo}: not found (apt-get install mate-backgrounds)`);
  return false;
});
if (photos.length === 0) process.exit(1);

/** JPEG settings whose quality number is meant to match libjpeg's: compared at equal numbers. */
const SAME_NUMBER_SETTINGS: Setting[] = [
  { name: 'libjpeg-turbo, optimised coding', encode: (s, q) => s.jpeg({ quality: q }) },
  { name: 'turbo progressive', encode: (s, q) => s.jpeg({ quality: q, progressive: true }) },
  { name: 'std tables + trellis', encode: (s, q) => s.jpeg({ quality: q, trellisQuantisation: true }) },
  { name: 'std tables + trellis, progressive', encode: (s, q) => s.jpeg({ quality: q, trellisQuantisation: true, progressive: true }) },
  { name: 'std tables + trellis + opt. scans', encode: (s, q) => s.jpeg({ quality: q, trellisQuantisation: true, optimiseScans: true }) },
  { name: 'mozjpeg defaults (table 3)', encode: (s, q) => s.jpeg({ quality: q, mozjpeg: true }) },
];
const SAME_NUMBERS = [60, 75, 80, 90];

sharp.cache(false);
if (sameNumber) {
  for (const photo of photos) {
    const prepared = await prepare(photo);
    console.log(`\n${basename(photo)} -> ${prepared.pixels.width}x${prepared.pixels.height}`);
    console.log('  setting                             q   bytes  bytes/libjpeg   SSIM   SSIM-libjpeg  encode ms  time/libjpeg');
    for (const quality of SAME_NUMBERS) {
      let reference: { bytes: number; ssim: number; ms: number } | null = null;
      for (const setting of SAME_NUMBER_SETTINGS) {
        const { bytes, ssim } = await measure(prepared, setting, quality);
        const ms = await encodeMs(prepared, setting, quality);
        reference ??= { bytes, ssim, ms };
        console.log(
          `  ${setting.name.padEnd(34)} ${String(quality).padStart(3)} ${String(bytes).padStart(7)} ${(bytes / reference.bytes).toFixed(3).padStart(14)} ${ssim.toFixed(4)} ${(ssim - reference.ssim >= 0 ? '+' : '') + (ssim - reference.ssim).toFixed(4).padStart(12)} ${ms.toFixed(1).padStart(10)} ${(ms / reference.ms).toFixed(2).padStart(13)}`,
        );
      }
    }
  }
  process.exit(0);
}
for (const photo of photos) {
  const prepared = await prepare(photo);
  console.log(`\n${basename(photo)} -> ${prepared.pixels.width}x${prepared.pixels.height}`);
  for (const target of TARGETS) {
    console.log(`\n  SSIM >= ${target}`);
    console.log('  setting                          quality    bytes  bytes/baseline  encode ms  time/baseline');
    let baseline: { bytes: number; ms: number } | null = null;
    for (const setting of settings) {
      const found = await lowestQuality(prepared, setting, target);
      if (!found) {
        console.log(`  ${setting.name.padEnd(32)} unreachable`);
        continue;
      }
      const ms = await encodeMs(prepared, setting, found.quality);
      baseline ??= { bytes: found.bytes, ms };
      console.log(
        `  ${setting.name.padEnd(32)} ${String(found.quality).padStart(7)} ${String(found.bytes).padStart(8)} ${(found.bytes / baseline.bytes).toFixed(2).padStart(15)} ${ms.toFixed(1).padStart(10)} ${(ms / baseline.ms).toFixed(2).padStart(14)}`,
      );
    }
  }
}
