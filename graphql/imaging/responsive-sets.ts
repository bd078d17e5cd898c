// Responsive sets: one stored compression per width x format of an image, made and stored as one
// unit, and a <picture> element that uses them. The slots are reserved together (the whole set
// fits in the per-image quota or nothing is made); files are written as they are made and removed
// again if any step fails; the records are committed in one unit of work. The element's URLs are
// share links without expiry, so it keeps working in a page long after the 5-minute signed URLs
// of the API would have expired.
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Services } from '../services.ts';
import { MAX_OUTPUT_SIDE } from '../shared/compress-limits.ts';
import type { OutputFormat, RequestedFormat } from '../shared/formats.ts';
import { newShareLink, shareLimitError } from '../sharing/share-links.ts';
import { shareUrl } from '../sharing/share-tokens.ts';
import { blobKeys, isRefusal } from '../store/ports.ts';
import type { CompressionRecord, ImageRecord, TransformSettings } from '../store/records.ts';
import { settingsOf, validateCompressOptions, type CompressOptionsInput } from './compress-options.ts';
import { compressionRecordOf, compressStored, deleteCompression, ownImage } from './compressions.ts';
import { extensionOf } from './encoders.ts';
import { asQuotaError, quotaError } from './ingest.ts';

export const MAX_SET_WIDTHS = 8;
export const MAX_SET_FORMATS = 4;
/** Most modern first: a browser takes the first <source> it supports; the last is the <img>. */
const FORMAT_ORDER: OutputFormat[] = ['AVIF', 'WEBP', 'JPEG', 'PNG'];

export interface ResponsiveSetRequest {
  widths: readonly number[];
  formats: readonly RequestedFormat[];
  options: CompressOptionsInput | null | undefined;
}

export interface ResponsiveSet {
  compressions: CompressionRecord[];
  html: string;
}

/** The widths (ascending, unique) and formats (in FORMAT_ORDER, unique) a request asks for. */
export function validateResponsiveRequest(request: ResponsiveSetRequest): {
  widths: number[];
  formats: OutputFormat[];
  options: CompressOptionsInput;
  transform: TransformSettings | null;
} {
  const { widths, formats } = request;
  if (widths.length < 1 || widths.length > MAX_SET_WIDTHS) throw new ValidationError(`Give 1 to ${MAX_SET_WIDTHS} widths.`, 'widths');
  for (const width of widths) {
    if (!Number.isInteger(width) || width < 1 || width > MAX_OUTPUT_SIDE) {
      throw new ValidationError(`Each width must be a whole number of pixels from 1 to ${MAX_OUTPUT_SIDE}.`, 'widths');
    }
  }
  if (formats.length < 1 || formats.length > MAX_SET_FORMATS) throw new ValidationError(`Give 1 to ${MAX_SET_FORMATS} formats.`, 'formats');
  if (formats.includes('AUTO')) {
    throw new ValidationError(
      'AUTO picks one format per file; a <picture> names each of its formats: give JPEG, PNG, WEBP or AVIF.',
      'formats',
    );
  }
  const options = request.options ?? {};
  for (const field of ['width', 'height', 'format'] as const) {
    if (options[field] != null)
      throw new ValidationError(`options.${field} is set per file by widths and formats; leave it out.`, `options.${field}`);
  }
  const ordered = FORMAT_ORDER.filter((format) => formats.includes(format));
  // Checks the rest of the options (quality, targets, effort) once, before anything is made.
  const { transform } = validateCompressOptions({ ...options, width: widths[0], format: ordered[0] });
  return { widths: [...new Set(widths)].sort((a, b) => a - b), formats: ordered, options, transform };
}

/**
 * Widths above the width of the picture that is resized collapse to it (never enlarged), without
 * duplicates. That picture is the original after the edits that change its size: the crop, then a
 * quarter turn, which makes its height the width. Capping at the original's width instead would
 * ask a 500 px crop for 960 and 1600 px, two identical files.
 */
export function effectiveWidths(
  widths: readonly number[],
  image: Pick<ImageRecord, 'width' | 'height'>,
  transform: TransformSettings | null,
): number[] {
  const { width, height } = transform?.crop ?? image;
  const quarterTurn = transform?.rotate === 90 || transform?.rotate === 270;
  const source = quarterTurn ? height : width;
  return [...new Set(widths.map((asked) => Math.min(asked, source)))].sort((a, b) => a - b);
}

export async function storeResponsiveSet(
  services: Services,
  userId: string,
  imageId: string,
  request: ResponsiveSetRequest,
  origin: string,
): Promise<ResponsiveSet> {
  const { records, blobs, config } = services;
  const { widths: asked, formats, options, transform } = validateResponsiveRequest(request);
  const image = await ownImage(services, userId, imageId);
  const widths = effectiveWidths(asked, image, transform);
  const count = widths.length * formats.length;

  // Refused before any work when the links could not be made; checked again when they are.
  const liveLinks = (await records.listShareLinks(userId)).filter(
    (link) => link.expiresAt === null || Date.parse(link.expiresAt) > Date.now(),
  );
  if (liveLinks.length + count > config.quotaShareLinks) throw shareLimitError(config.quotaShareLinks);

  const reservation = await records.reserveCompressions(userId, imageId, count, config);
  if (isRefusal(reservation)) throw quotaError(reservation);
  const written: string[] = [];
  const made: CompressionRecord[] = [];
  const seconds = new Map<string, number>();
  let committed = false;
  try {
    for (const format of formats) {
      for (const width of widths) {
        const started = performance.now();
        const plan = validateCompressOptions({ ...options, width, format });
        const output = await compressStored(services, image, plan);
        const id = randomUUID();
        seconds.set(id, (performance.now() - started) / 1000);
        const file = blobKeys.compression(userId, id, extensionOf(output.format));
        written.push(file);
        await blobs.put(file, output.data, output.mimeType);
        made.push(compressionRecordOf(output, { id, image, file, options: settingsOf(plan, image.format) }));
      }
    }
    if (!(await reservation.commit(made).catch(asQuotaError)))
      throw new NotFoundError('The image was deleted while the set was being made.');
    committed = true;
  } finally {
    if (!committed) await blobs.remove(...written).catch(() => {});
    await reservation.release().catch(() => {});
  }

  const links = made.map((compression) => newShareLink(services, userId, imageId, compression.id, null));
  const outcome = await records.insertShareLinks(userId, links, config.quotaShareLinks).catch((error: unknown) => error);
  if (outcome !== true) {
    // A set without its links would be a set whose <picture> cannot be given: none of it stays.
    for (const compression of made) await deleteCompression(services, userId, compression.id).catch(() => {});
    if (outcome === 'limit') throw shareLimitError(config.quotaShareLinks);
    if (outcome === 'missing') throw new NotFoundError('The image was deleted while the set was being made.');
    throw outcome;
  }
  for (const compression of made) {
    services.metrics.observeCompression(compression.format, seconds.get(compression.id)!, Math.max(0, image.bytes - compression.bytes));
  }
  const urls = new Map(links.map((link) => [link.compressionId!, shareUrl(origin, services.shareTokens.tokenOf(link))]));
  return {
    compressions: made,
    html: pictureHtml(
      image,
      made.map((compression) => ({ compression, url: urls.get(compression.id)! })),
    ),
  };
}

/**
 * <picture> with a <source> per modern format and an <img> of the last (most widely supported)
 * format, each with a w-descriptor srcset. sizes says "the full viewport width, up to the largest
 * file's width", a safe default for an image in a page's main column.
 */
export function pictureHtml(image: Pick<ImageRecord, 'name'>, files: Array<{ compression: CompressionRecord; url: string }>): string {
  const byFormat = FORMAT_ORDER.map((format) =>
    files.filter((file) => file.compression.format === format).sort((a, b) => a.compression.width - b.compression.width),
  ).filter((group) => group.length > 0);
  const fallback = byFormat.at(-1)!;
  const largest = fallback.at(-1)!.compression;
  const maxWidth = Math.max(...files.map((file) => file.compression.width));
  const sizes = `(max-width: ${maxWidth}px) 100vw, ${maxWidth}px`;
  const srcset = (group: typeof fallback) => group.map((file) => `${file.url} ${file.compression.width}w`).join(', ');
  const lines = ['<picture>'];
  for (const group of byFormat.slice(0, -1)) {
    lines.push(`  <source type="${escapeHtml(group[0]!.compression.mimeType)}" srcset="${escapeHtml(srcset(group))}" sizes="${sizes}">`);
  }
  lines.push(
    `  <img src="${escapeHtml(fallback.at(-1)!.url)}" srcset="${escapeHtml(srcset(fallback))}" sizes="${sizes}" ` +
      `width="${largest.width}" height="${largest.height}" alt="${escapeHtml(image.name)}" loading="lazy" decoding="async">`,
  );
  lines.push('</picture>');
  return lines.join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
