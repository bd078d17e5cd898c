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
 * JPEG: mozjpeg (trellis quantisation, its own tables, progressive scans). At equal SSIM it was
 * 0.89x the bytes of libjpeg-turbo on average over three photographs and two targets (0.67x to
 * 1.03x: it gains most on smooth photos; turbo's progressive mode averaged 0.99x), for ~1.35x the
 * time of a whole 18 MP -> 1280 px job. One encoder on every path, so a quality number means the
 * same in a preview, a search and a stored compression. Chroma stays 4:2:0: SSIM is on luma.
 */
function jpeg(image: Sharp, quality: number): Sharp {
  return image.jpeg({ quality, mozjpeg: true });
}

/**
 * PNG: lossless at quality 100, with adaptive row filters (0.58x and 0.92x the bytes of sharp's
 * default on two photos, for ~2x the time; zlib level 9 on top saved 5-9% more at 5-7x). Below
 * 100, quantised to a palette of at most 256 colours by libimagequant at effort 7 (sharp's
 * default): 0.67x-0.72x the bytes of efforts 1 and 4 at equal SSIM, for ~2.5x the time.
 */
function png(image: Sharp, quality: number): Sharp {
  if (quality >= 100) return image.png({ adaptiveFiltering: true });
  return image.png({ palette: true, quality, effort: 7 });
}

/**
 * WebP: effort 4 (sharp's default). At equal SSIM effort 2 was 1.04x-1.63x the bytes (once 0.93x)
 * for about half the time; effort 3 matched effort 4; effort 6 was 0.96x-1.15x at ~3x the time.
 */
function webp(image: Sharp, quality: number): Sharp {
  return image.webp({ quality, effort: 4 });
}

/**
 * AVIF: effort 1 with 4:2:0 chroma. At equal SSIM, effort 2 was 0.86x-1.23x the bytes of effort 1
 * (no steady gain) at 2-5x the time; effort 0 was 0.98x-1.06x, and its speed was within this
 * machine's noise; effort 4 (sharp's default) was 0.93x but took 12 s for one 1280 px encode here,
 * far too slow for searches and previews. 4:4:4 (sharp's default) was 1.03x-1.18x the bytes of
 * 4:2:0 at equal (luma) SSIM.
 */
function avif(image: Sharp, quality: number): Sharp {
  return image.avif({ quality, effort: 1, chromaSubsampling: '4:2:0' });
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

