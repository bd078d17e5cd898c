// How each output format is written. The settings were chosen by measuring bytes at equal SSIM
// and encode time on real photographs on this machine (bench/encoders.ts; the numbers are in the
// README, "Compression engine"). Metadata is never kept: sharp writes none unless asked, so EXIF
// (GPS included), XMP and IPTC are gone; colour was converted to sRGB when the pixels were
// prepared, which is what a file without a profile is taken to be.
import sharp, { type Sharp } from 'sharp';
import { FILE_EXTENSIONS, MIME_TYPES } from '../store/records.ts';
import type { OutputFormat } from './compress-options.ts';

/** What transparent pixels are flattened onto where the output (or an SSIM comparison) has no alpha. */
export type Matte = { r: number; g: number; b: number };
export const WHITE: Matte = { r: 255, g: 255, b: 255 };

/**
 * JPEG: libjpeg-turbo with the standard (IJG) tables and optimised Huffman coding, baseline: at a
 * given quality number the same coefficients as libjpeg's, so "80" here is Pillow's, ImageMagick's
 * and vipsthumbnail's 80 (same SSIM to 1e-4, same bytes to 0.02%). Measured at equal numbers
 * (bench/encoders.ts --same-number, four photographs at q60-q90): progressive scans keep the SSIM
 * and took 0.93x-0.97x the bytes on a detailed photo but 1.00x-1.03x on smooth ones, for 1.3-6x
 * the encode time; trellis quantisation with the standard tables took 0.81x-0.92x the bytes but
 * lost up to 0.014 SSIM at the same number on the detailed photo (0.008 at q80), at 4-13x the
 * time; mozjpeg's defaults (its own tables) 0.66x-0.84x the bytes and up to 0.030 less SSIM
 * (0.016 at q80). Neither keeps the number's meaning, and the encode is a tenth of what mozjpeg's
 * costs. Chroma stays 4:2:0, as libjpeg's.
 */
function jpeg(image: Sharp, quality: number): Sharp {
  return image.jpeg({ quality, optimiseCoding: true, progressive: false, mozjpeg: false });
}

/** How hard an encoder works for fewer bytes at the same quality number (CompressOptions.effort). */
export type EncodeEffort = 'FAST' | 'BALANCED' | 'SMALLEST';

/**
 * PNG: lossless at quality 100, with adaptive row filters (0.58x and 0.92x the bytes of sharp's
 * default on two photos, for ~2x the time; zlib level 9 on top saved 5-9% more at 5-7x, so only
 * SMALLEST pays for it). Below 100, quantised to a palette of at most 256 colours by
 * libimagequant: effort 7 (sharp's default) took 0.67x-0.72x the bytes of efforts 1 and 4 at equal
 * SSIM, for ~2.5x the time; FAST uses 4, SMALLEST 10.
 */
function png(image: Sharp, quality: number, effort: EncodeEffort): Sharp {
  if (quality >= 100) return image.png({ adaptiveFiltering: true, compressionLevel: effort === 'SMALLEST' ? 9 : 6 });
  return image.png({ palette: true, quality, effort: { FAST: 4, BALANCED: 7, SMALLEST: 10 }[effort] });
}

/**
 * WebP: effort 4 (sharp's default). At equal SSIM effort 2 was 1.04x-1.63x the bytes (once 0.93x)
 * for about half the time (FAST); effort 3 matched effort 4; effort 6 was 0.96x-1.15x at ~3x the
 * time (SMALLEST). Quality 100 is lossless WebP (sharp's `lossless`): lossy WebP at 100 is neither
 * lossless nor small (103 KB against lossless's 50 KB on a screenshot-like graphic).
 */
function webp(image: Sharp, quality: number, effort: EncodeEffort): Sharp {
  const level = { FAST: 2, BALANCED: 4, SMALLEST: 6 }[effort];
  if (quality >= 100) return image.webp({ lossless: true, effort: level });
  return image.webp({ quality, effort: level });
}

/**
 * AVIF: 4:2:0 chroma; effort 1 (BALANCED). At equal SSIM, effort 2 was 0.86x-1.23x the bytes of
 * effort 1 (no steady gain) at 2-5x the time; effort 0 (FAST) 0.98x-1.06x; effort 4 (SMALLEST,
 * sharp's default) 0.93x overall and 0.55x-0.68x libjpeg's bytes on photographs, but 5-12 s for one
 * 1280 px encode here, so it is only used for the final encode, never for a search's trials. 4:4:4
 * (sharp's default) was 1.03x-1.18x the bytes of 4:2:0 at equal (luma) SSIM.
 */
function avif(image: Sharp, quality: number, effort: EncodeEffort): Sharp {
  return image.avif({ quality, effort: { FAST: 0, BALANCED: 1, SMALLEST: 4 }[effort], chromaSubsampling: '4:2:0' });
}

type Encoder = (image: Sharp, quality: number, effort: EncodeEffort) => Sharp;
const ENCODERS: Record<OutputFormat, Encoder> = { JPEG: jpeg, PNG: png, WEBP: webp, AVIF: avif };

/** Adds the encoder for a format to a pipeline of sRGB pixels (JPEG's transparency goes onto the matte). */
export function encoderFor(image: Sharp, channels: number, format: OutputFormat, quality: number, effort: EncodeEffort, matte: Matte = WHITE): Sharp {
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
  const image = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
  return encoderFor(image, pixels.channels, format, quality, effort, matte).timeout({ seconds: timeoutSeconds }).toBuffer();
}

export function mimeTypeOf(format: OutputFormat): string {
  return MIME_TYPES[format];
}

export function extensionOf(format: OutputFormat): string {
  return FILE_EXTENSIONS[format];
}

