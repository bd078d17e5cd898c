// When a progressive JPEG is smaller than the baseline one with the same coefficients, and how well
// a sixteenth of the pixels predicts it: the figures behind encoders.ts's three marks
// (PROGRESSIVE_FROM_BITS_PER_PIXEL, PROGRESSIVE_ALONE_FROM_BITS_PER_PIXEL and
// PROGRESSIVE_FIRST_FROM_ESTIMATED_BITS_PER_PIXEL). Every image is resized to 640, 1280 and 1920 px
// (never enlarged) and encoded at several qualities, baseline and progressive, with Pixpress's
// settings; the estimate is encoders.ts's own.
//
//   node bench/progressive.ts [image ...]   (default: every image of Debian's mate-backgrounds)
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  estimatedJpegBitsPerPixel,
  PROGRESSIVE_ALONE_FROM_BITS_PER_PIXEL as ALONE,
  PROGRESSIVE_FIRST_FROM_ESTIMATED_BITS_PER_PIXEL as FIRST,
} from '../graphql/imaging/encoders.ts';

const MATE = '/usr/share/backgrounds/mate';
const WIDTHS = [640, 1280, 1920];
const QUALITIES = [40, 60, 75, 80, 85, 90, 95];

const images =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(MATE, { recursive: true, encoding: 'utf8' })
        .filter((name) => /\.(jpe?g|png|webp)$/i.test(name))
        .map((name) => join(MATE, name))
        .sort();

interface Row {
  image: string;
  width: number;
  quality: number;
  baselineBpp: number;
  progressiveBpp: number;
  estimate: number | null;
}
const rows: Row[] = [];
let estimateMs = 0;
let estimates = 0;
for (const image of images) {
  const metadata = await sharp(image).metadata();
  for (const width of WIDTHS) {
    if (!metadata.width || width > metadata.width) continue;
    const { data, info } = await sharp(image)
      .autoOrient()
      .resize(width)
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = { data, width: info.width, height: info.height, channels: 3 as const };
    const raw = { raw: { width: info.width, height: info.height, channels: 3 as const } };
    const bpp = (bytes: number) => (bytes * 8) / (info.width * info.height);
    for (const quality of QUALITIES) {
      const baseline = await sharp(data, raw).jpeg({ quality, optimiseCoding: true, mozjpeg: false }).toBuffer();
      const progressive = await sharp(data, raw).jpeg({ quality, optimiseCoding: true, progressive: true, mozjpeg: false }).toBuffer();
      const started = performance.now();
      const estimate = await estimatedJpegBitsPerPixel(pixels, quality, 60);
      if (estimate !== null) {
        estimateMs += performance.now() - started;
        estimates += 1;
      }
      rows.push({
        image,
        width: info.width,
        quality,
        baselineBpp: bpp(baseline.length),
        progressiveBpp: bpp(progressive.length),
        estimate,
      });
    }
  }
}

const ratio = (row: Row) => row.progressiveBpp / row.baselineBpp;
console.log(
  `${images.length} images, ${rows.length} encodes of each kind (widths ${WIDTHS.join(', ')} px, qualities ${QUALITIES.join(', ')})\n`,
);
console.log('progressive bits per pixel at least | encodes | largest progressive ÷ baseline');
for (const mark of [0.5, 0.75, 1, 1.25, 1.5, 2]) {
  const above = rows.filter((row) => row.progressiveBpp >= mark);
  console.log(
    `${String(mark).padStart(35)} | ${String(above.length).padStart(7)} | ${above.length ? Math.max(...above.map(ratio)).toFixed(4) : '-'}`,
  );
}
const sampled = rows.filter((row) => row.estimate !== null);
const first = sampled.filter((row) => row.estimate! >= FIRST);
const alone = first.filter((row) => row.progressiveBpp >= ALONE);
const missed = sampled.filter((row) => row.estimate! < FIRST && row.progressiveBpp >= ALONE);
console.log(
  `\nestimate (a sixteenth of the pixels, ${(estimateMs / Math.max(1, estimates)).toFixed(1)} ms each): ${sampled.length} encodes sampled; ` +
    `${first.length} estimated at ${FIRST} bpp or more, of which ${alone.length} kept progressive alone (>= ${ALONE} bpp) and ` +
    `${first.length - alone.length} needed the baseline too; ${missed.length} below ${FIRST} would have been kept alone`,
);
const errors = sampled.map((row) => row.estimate! / row.baselineBpp).sort((a, b) => a - b);
const quantile = (p: number) => errors[Math.min(errors.length - 1, Math.floor(p * errors.length))]!.toFixed(2);
console.log(`estimate ÷ baseline bits per pixel: 5% ${quantile(0.05)}, median ${quantile(0.5)}, 95% ${quantile(0.95)}`);
