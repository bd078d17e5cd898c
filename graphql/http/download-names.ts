// The names files are saved under. Every compression of an image gets its own, from what sets it
// apart (format, width, quality), so saving several never overwrites one with another.
import { FILE_EXTENSIONS } from '../shared/formats.ts';
import type { CompressionRecord, ImageRecord } from '../store/records.ts';

/** An image's name without an extension it may have been given with ("beach.jpg" -> "beach"). */
export function baseName(name: string): string {
  return name.replace(/\.[a-z0-9]{1,5}$/i, '').trim() || 'image';
}

export function originalDownloadName(image: Pick<ImageRecord, 'name' | 'format'>): string {
  return `${baseName(image.name)}.${FILE_EXTENSIONS[image.format]}`;
}

/** "photo.jpg" compressed to WebP at 1600 px and quality 80 -> "photo-1600w-q80.webp". */
export function compressionDownloadName(
  image: Pick<ImageRecord, 'name'>,
  compression: Pick<CompressionRecord, 'format' | 'width' | 'quality'>,
): string {
  return `${baseName(image.name)}-${compression.width}w-q${compression.quality}.${FILE_EXTENSIONS[compression.format]}`;
}
