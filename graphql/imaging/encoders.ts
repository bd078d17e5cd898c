// How each output format is written. The settings were chosen by measuring bytes at equal SSIM
// and encode time on real photographs (bench/encoders.ts; its runs are in bench/RESULTS.md, the
// choices in docs/compression.md). Metadata is never kept: sharp writes none unless asked, so EXIF
// (GPS included), XMP and IPTC are gone; colour was converted to sRGB when the pixels were
// prepared, which is what a file without a profile is taken to be.
import sharp, { type Sharp } from 'sharp';
import { FILE_EXTENSIONS, MIME_TYPES } from '../store/records.ts';
import type { OutputFormat } from './compress-options.ts';
import { tileSample } from './sample.ts';

/** What transparent pixels are flattened onto where the output (or an SSIM comparison) has no alpha. */
export type Matte = { r: number; g: number; b: number };
export const WHITE: Matte = { r: 255, g: 255, b: 255 };

/**
 * JPEG: libjpeg-turbo with the standard (IJG) tables and optimised Huffman coding (baseline, or
 * progressive where that is smaller: see PROGRESSIVE_FROM_BITS_PER_PIXEL): at a
 * given quality number the same coefficients as libjpeg's, so "80" here is Pillow's, ImageMagick's
 * and vipsthumbnail's 80 (same SSIM to 1e-4, same bytes to 0.02%). At equal numbers
 * (bench/encoders.ts --same-number) progressive scans keep the SSIM, are smaller on detailed photos
 * but larger than baseline on smooth ones, and slower (hence the rule below); trellis quantisation and mozjpeg's own tables are smaller but lose
 * SSIM at the same number and cost several times the encode. Neither keeps the number's meaning.
 * Chroma stays 4:2:0, as libjpeg's.
 */
function jpeg(image: Sharp, quality: number): Sharp {
  return image.jpeg({ quality, optimiseCoding: true, progressive: false, mozjpeg: false });
}

/** The same coefficients as jpeg() at the same number, in progressive scans. */
function progressiveJpeg(image: Sharp, quality: number): Sharp {
  return image.jpeg({ quality, optimiseCoding: true, progressive: true, mozjpeg: false });
}

/**
 * A baseline JPEG of at least this many bits per pixel is also written with progressive scans, and
 * the smaller of the two is kept. Progressive coding keeps the exact coefficients (the same pixels
 * decode, so the same SSIM, and the quality number keeps libjpeg's meaning) and only changes the
 * entropy coding, which wins on detailed images and loses a little on smooth ones; the gain grows
 * with the baseline's bits per pixel (measured per photo in bench/RESULTS.md, "bench/peer.ts").
 * Below this mark the second encode is rarely worth its time; above it, keeping the smaller means
 * the output is never larger than libjpeg's baseline at the same number.
 */
const PROGRESSIVE_FROM_BITS_PER_PIXEL = 1;
/**
 * A progressive JPEG of at least this many bits per pixel is kept without writing the baseline one
 * to compare. `node bench/progressive.ts` (mate-backgrounds' 30 photos and graphics at 640, 1280 and
 * 1920 px, qualities 40-95: 574 encodes of each kind): every progressive JPEG of 1 bit per pixel
 * or more was smaller than its baseline twin (at most 0.998x), and every one of 1.25 or more by at
 * least 0.9%; the mark keeps that margin. (The same held over 1,113 encodes of 69 images, adding
 * screenshots and documentation figures found on these machines.)
 */
export const PROGRESSIVE_ALONE_FROM_BITS_PER_PIXEL = 1.25;
/**
 * When a baseline JPEG of a sixteenth of the pixels (a tile mosaic, sample.ts) takes at least this
 * many bits per pixel, the progressive encode is made first: it is then usually kept alone, and the
 * baseline encode (about half of a one-shot JPEG's encoding time) is skipped. In the bench above,
 * all 67 encodes estimated at 1.5 or more were kept alone, and 12 of the 304 below it would have
 * been; the estimate costs about 2.5 ms.
 */
export const PROGRESSIVE_FIRST_FROM_ESTIMATED_BITS_PER_PIXEL = 1.5;
/** The mosaic's tiles are a sixteenth of the width and height (a sixteenth of the pixels). */
const ESTIMATE_TILE_DIVISOR = 16;
/**
 * Outputs up to this many pixels may be written progressive. Larger ones stay baseline: trying
 * both needs the resized pixels in memory (3 bytes a pixel) and a progressive encoder buffers every
 * coefficient, while a baseline JPEG streams from the decoder (bench/memory.ts's full-size case).
 */
export const PROGRESSIVE_MAX_PIXELS = 4_000_000;

/** How hard an encoder works for fewer bytes at the same quality number (CompressOptions.effort). */
export type EncodeEffort = 'FAST' | 'BALANCED' | 'SMALLEST';

/**
 * PNG: lossless at quality 100, with adaptive row filters (smaller than sharp's default filters,
 * for more time; zlib level 9 on top saves a little more at several times the time, so only
 * SMALLEST pays for it). Below 100, quantised to a palette of at most 256 colours by
 * libimagequant: effort 7 (sharp's default) is clearly smaller than efforts 1 and 4 at equal SSIM,
 * for more time; FAST uses 4, SMALLEST 10.
 */
function png(image: Sharp, quality: number, effort: EncodeEffort): Sharp {
  if (quality >= 100) return image.png({ adaptiveFiltering: true, compressionLevel: effort === 'SMALLEST' ? 9 : 6 });
  return image.png({ palette: true, quality, effort: { FAST: 4, BALANCED: 7, SMALLEST: 10 }[effort] });
}

/**
 * WebP: effort 4 (sharp's default). At equal SSIM effort 2 is mostly larger for about half the time
 * (FAST); effort 3 matches effort 4; effort 6 gains little for much more time (SMALLEST). Quality 100 is lossless WebP (sharp's `lossless`): lossy WebP at 100 is neither
 * lossless nor small (103 KB against lossless's 50 KB on a screenshot-like graphic).
 */
function webp(image: Sharp, quality: number, effort: EncodeEffort): Sharp {
  const level = { FAST: 2, BALANCED: 4, SMALLEST: 6 }[effort];
  if (quality >= 100) return image.webp({ lossless: true, effort: level });
  return image.webp({ quality, effort: level });
}

/**
 * AVIF: 4:2:0 chroma; effort 1 (BALANCED). At equal SSIM, effort 2 gives no steady gain over
 * effort 1 at several times the time; effort 0 (FAST) is about level. SMALLEST is effort 5: on a
 * smooth photograph at libjpeg q80's SSIM it took 0.67x libjpeg's bytes where effort 4 took 0.83x
 * and effort 6 0.72x, each an order of magnitude slower than effort 1, so a search's trials never
 * use it (goals/ssim-target.ts searches near the fast answer). 4:4:4 (sharp's default) is larger
 * than 4:2:0 at equal (luma) SSIM, at effort 5 too. Figures: bench/RESULTS.md.
 */
function avif(image: Sharp, quality: number, effort: EncodeEffort): Sharp {
  return image.avif({ quality, effort: { FAST: 0, BALANCED: 1, SMALLEST: 5 }[effort], chromaSubsampling: '4:2:0' });
}

type Encoder = (image: Sharp, quality: number, effort: EncodeEffort) => Sharp;
const ENCODERS: Record<OutputFormat, Encoder> = { JPEG: jpeg, PNG: png, WEBP: webp, AVIF: avif };

/** Adds the encoder for a format to a pipeline of sRGB pixels (JPEG's transparency goes onto the matte). */
export function encoderFor(
  image: Sharp,
  channels: number,
  format: OutputFormat,
  quality: number,
  effort: EncodeEffort,
  matte: Matte = WHITE,
): Sharp {
  if (format === 'JPEG' && channels === 4) image = image.flatten({ background: matte });
  return ENCODERS[format](image, quality, effort);
}

export interface PixelSource {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Encodes prepared sRGB pixels. JPEG has no alpha, so transparent pixels go onto the matte (white by default). */
export async function encodePixels(
  pixels: PixelSource,
  format: OutputFormat,
  quality: number,
  timeoutSeconds: number,
  effort: EncodeEffort = 'BALANCED',
  matte: Matte = WHITE,
): Promise<Buffer> {
  const area = pixels.width * pixels.height;
  // FAST writes one baseline JPEG; so do outputs too large to hold twice.
  if (format !== 'JPEG' || effort === 'FAST' || area > PROGRESSIVE_MAX_PIXELS) {
    return encoderFor(rawImage(pixels), pixels.channels, format, quality, effort, matte).timeout({ seconds: timeoutSeconds }).toBuffer();
  }
  const bitsPerPixel = (data: Buffer) => (data.length * 8) / area;
  const baseline = () => jpegOfPixels(pixels, quality, { progressive: false, timeoutSeconds, matte });
  const progressive = () => jpegOfPixels(pixels, quality, { progressive: true, timeoutSeconds, matte });
  const smaller = (a: Buffer, b: Buffer) => (b.length < a.length ? b : a);
  const estimate = await estimatedJpegBitsPerPixel(pixels, quality, timeoutSeconds, matte);
  if (estimate !== null && estimate >= PROGRESSIVE_FIRST_FROM_ESTIMATED_BITS_PER_PIXEL) {
    const first = await progressive();
    if (bitsPerPixel(first) >= PROGRESSIVE_ALONE_FROM_BITS_PER_PIXEL) return first;
    return smaller(await baseline(), first);
  }
  const first = await baseline();
  if (bitsPerPixel(first) < PROGRESSIVE_FROM_BITS_PER_PIXEL) return first;
  return smaller(first, await progressive());
}

/**
 * About how many bits per pixel a baseline JPEG of these pixels will take at `quality`, from a
 * tile mosaic of a sixteenth of them; null when the image is too small to sample.
 */
export async function estimatedJpegBitsPerPixel(
  pixels: PixelSource,
  quality: number,
  timeoutSeconds: number,
  matte: Matte = WHITE,
): Promise<number | null> {
  const sample = tileSample(pixels, ESTIMATE_TILE_DIVISOR);
  if (!sample) return null;
  const data = await jpegOfPixels(sample, quality, { progressive: false, timeoutSeconds, matte });
  return (data.length * 8) / (sample.width * sample.height);
}

function rawImage(pixels: PixelSource): Sharp {
  return sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
}

/** A JPEG of raw sRGB pixels, baseline or progressive (transparency goes onto the matte). */
function jpegOfPixels(
  pixels: PixelSource,
  quality: number,
  { progressive, timeoutSeconds, matte }: { progressive: boolean; timeoutSeconds: number; matte: Matte },
): Promise<Buffer> {
  let image = rawImage(pixels);
  if (pixels.channels === 4) image = image.flatten({ background: matte });
  return (progressive ? progressiveJpeg : jpeg)(image, quality).timeout({ seconds: timeoutSeconds }).toBuffer();
}

export function mimeTypeOf(format: OutputFormat): string {
  return MIME_TYPES[format];
}

export function extensionOf(format: OutputFormat): string {
  return FILE_EXTENSIONS[format];
}
