// What an uploaded file is, judged by its bytes alone, and its thumbnail. Making the thumbnail
// decodes the whole image, which is what catches files whose headers are fine but whose data
// is not (a truncated JPEG passes metadata()).
import sharp, { type Metadata } from 'sharp';
import { FileTooLargeError, InvalidImageError } from '../errors.ts';
import type { ImageFormat } from '../store/records.ts';
import { readPhotoFacts, type PhotoFacts } from './photo-facts.ts';

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
  timeoutSeconds: number;
}

export interface ImageFacts {
  format: ImageFormat;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
  /** Camera, lens, exposure, date and colour profile, when the file says. */
  photo: PhotoFacts | null;
}

export const THUMBNAIL_MAX_SIDE = 512;

export function formatOf(metadata: Pick<Metadata, 'format' | 'compression'>): ImageFormat | null {
  switch (metadata.format) {
    case 'jpeg':
      return 'JPEG';
    case 'png':
      return 'PNG';
    case 'webp':
      return 'WEBP';
    case 'gif':
      return 'GIF';
    case 'heif':
      // HEIF is a container; only its AV1 flavour (AVIF) is accepted, not HEVC photos.
      return metadata.compression === 'av1' ? 'AVIF' : null;
    default:
      return null;
  }
}

function tooManyPixels(limits: ImageLimits): FileTooLargeError {
  return new FileTooLargeError(`The image has more than ${limits.maxPixels} pixels.`, {
    maxBytes: limits.maxBytes,
    maxPixels: limits.maxPixels,
  });
}

/** sharp's errors, sorted into the two a client can act on. */
export function classifySharpError(error: unknown, limits: ImageLimits): Error {
  const message = (error as Error)?.message ?? '';
  if (/pixel limit/i.test(message)) return tooManyPixels(limits);
  return new InvalidImageError();
}

export async function inspectImage(input: string | Buffer, limits: ImageLimits): Promise<ImageFacts> {
  return (await inspectHeader(input, limits)).facts;
}

/** The facts, with sharp's metadata they came from: a compression reuses it rather than read the header again. */
export async function inspectHeader(input: string | Buffer, limits: ImageLimits): Promise<{ facts: ImageFacts; metadata: Metadata }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(input, { limitInputPixels: limits.maxPixels }).metadata();
  } catch (error) {
    throw classifySharpError(error, limits);
  }
  const format = formatOf(metadata);
  if (!format || !metadata.width || !metadata.height) throw new InvalidImageError();
  if (metadata.width * metadata.height > limits.maxPixels) throw tooManyPixels(limits);
  const facts: ImageFacts = {
    format,
    width: metadata.autoOrient?.width ?? metadata.width,
    height: metadata.autoOrient?.height ?? metadata.height,
    photo: readPhotoFacts(metadata),
  };
  return { facts, metadata };
}

/** Pages show this instead of the original: a phone need not fetch a 10 MB photo to show it. */
export const DISPLAY_MAX_WIDTH = 1600;

export async function makeDisplayRendition(input: string | Buffer, limits: ImageLimits): Promise<Buffer> {
  try {
    return await sharp(input, { limitInputPixels: limits.maxPixels })
      .rotate()
      .resize({ width: DISPLAY_MAX_WIDTH, withoutEnlargement: true })
      .webp({ quality: 80, effort: 2 })
      .timeout({ seconds: limits.timeoutSeconds })
      .toBuffer();
  } catch (error) {
    throw classifySharpError(error, limits);
  }
}

/** A WebP of at most 512 px on the longest side, oriented, without metadata. */
export async function makeThumbnail(input: string | Buffer, limits: ImageLimits): Promise<Buffer> {
  try {
    return await sharp(input, { limitInputPixels: limits.maxPixels })
      .rotate()
      .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75, effort: 2 })
      .timeout({ seconds: limits.timeoutSeconds })
      .toBuffer();
  } catch (error) {
    throw classifySharpError(error, limits);
  }
}
