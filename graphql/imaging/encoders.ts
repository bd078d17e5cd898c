// How each output format is written. The settings were chosen by measuring bytes at equal SSIM
// and encode time on real photographs on this machine (bench/encoders.ts; the numbers are in the
// README, "Compression engine"). Metadata is never kept: sharp writes none unless asked, so EXIF
// (GPS included), XMP and IPTC are gone; colour was converted to sRGB when the pixels were
// prepared, which is what a file without a profile is taken to be.
import sharp, { type Sharp } from 'sharp';
import { FILE_EXTENSIONS, MIME_TYPES } from '../store/records.ts';
import type { OutputFormat } from './compress-options.ts';

export const WHITE = { r: 255, g: 255, b: 255 };

/**
 * JPEG: libjpeg-turbo's path (mozjpeg off) with progressive scans and optimised Huffman tables.
 * At equal SSIM mozjpeg saved nothing here (its tables favour what eyes see over what SSIM
 * measures, so it needs a higher quality number for the same score) while costing ~8x the time;
 * progressive saved ~6% for ~1.5x. Chroma stays 4:2:0: SSIM is measured on luma, and
 * subsampled chroma is what viewers expect from a photograph at these qualities.
 */
function jpeg(image: Sharp, quality: number): Sharp {
  return image.jpeg({ quality, progressive: true, optimiseCoding: true, mozjpeg: false });
}

/** PNG: lossless at quality 100; below it, quantised to a palette of at most 256 colours. */
function png(image: Sharp, quality: number): Sharp {
  if (quality >= 100) return image.png({ compressionLevel: 9, adaptiveFiltering: true });
  return image.png({ palette: true, quality, effort: 4, compressionLevel: 9 });
}

/** WebP: effort 4 (sharp's default) saved ~7% over effort 2 at equal SSIM for ~2.5x the time. */
function webp(image: Sharp, quality: number): Sharp {
  return image.webp({ quality, effort: 4 });
}

/**
 * AVIF: effort 2 with 4:2:0 chroma. Effort 4 (sharp's default) was ~10% smaller at equal SSIM
 * but more than 10x slower (seconds per megapixel), too slow for searches and previews; 4:2:0
 * is smaller than sharp's default 4:4:4 at equal (luma) SSIM.
 */
function avif(image: Sharp, quality: number): Sharp {
  return image.avif({ quality, effort: 2, chromaSubsampling: '4:2:0' });
}

const ENCODERS: Record<OutputFormat, (image: Sharp, quality: number) => Sharp> = { JPEG: jpeg, PNG: png, WEBP: webp, AVIF: avif };

export interface PixelSource {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Encodes prepared sRGB pixels. JPEG has no alpha, so transparent pixels go onto white. */
export async function encodePixels(
  pixels: PixelSource,
  format: OutputFormat,
  quality: number,
  timeoutSeconds: number,
): Promise<Buffer> {
  let image = sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } });
  if (format === 'JPEG' && pixels.channels === 4) image = image.flatten({ background: WHITE });
  return ENCODERS[format](image, quality).timeout({ seconds: timeoutSeconds }).toBuffer();
}

export function mimeTypeOf(format: OutputFormat): string {
  return MIME_TYPES[format];
}

export function extensionOf(format: OutputFormat): string {
  return FILE_EXTENSIONS[format];
}

