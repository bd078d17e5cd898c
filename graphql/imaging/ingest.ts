// Storing an uploaded original: reserve a quota slot, stream the file to a scratch path, learn its
// format from its bytes, make the thumbnail (which proves the whole image decodes), store both
// files, and only then write the record (committing the reservation). Any failure leaves nothing
// behind; a crash leaves at most files without a record, which the sweep removes.
import { randomUUID } from 'node:crypto';
import type { FileUpload } from 'graphql-upload-minimal';
import { QuotaExceededError } from '../errors.ts';
import { discardUpload, receiveUpload } from '../http/uploads.ts';
import type { Services } from '../services.ts';
import { nameFromFilename, validateName, validateTags } from '../store/image-fields.ts';
import { blobKeys, isRefusal, QuotaRefusedError, type QuotaRefusal } from '../store/ports.ts';
import { FILE_EXTENSIONS, MIME_TYPES } from '../shared/formats.ts';
import { imageFilesOf, type ImageRecord } from '../store/records.ts';
import { inspectImage, makeDisplayRendition, makeThumbnail, type ImageLimits } from './inspect.ts';

export function imageLimits(services: Services): ImageLimits {
  const { config } = services;
  return {
    maxBytes: config.maxUploadBytes,
    maxPixels: config.maxInputPixels,
    timeoutSeconds: Math.ceil(config.imageJobTimeoutMs / 1000),
  };
}

export function quotaError(refusal: QuotaRefusal): QuotaExceededError {
  if (refusal.kind === 'bytes') {
    return new QuotaExceededError(
      `This would take you past your storage limit of ${formatBytes(refusal.limit)}; delete something first.`,
      refusal.limit,
    );
  }
  const what = { images: 'images', files: 'stored files', compressionsPerImage: 'compressions of this image' }[refusal.kind];
  return new QuotaExceededError(`You have reached your limit of ${refusal.limit} ${what}.`, refusal.limit);
}

/** A commit refused after all (its slot had expired and was taken) is the same quota error. */
export function asQuotaError(error: unknown): never {
  throw error instanceof QuotaRefusedError ? quotaError(error.refusal) : error;
}

export interface UploadRequest {
  upload: Promise<FileUpload>;
  name: string | null | undefined;
  tags: readonly string[] | null | undefined;
}

export async function storeUploadedImage(services: Services, userId: string, request: UploadRequest): Promise<ImageRecord> {
  const { blobs, records, imageQueue, config } = services;
  let name: string | null;
  let tags: string[];
  try {
    name = request.name == null ? null : validateName(request.name);
    tags = validateTags(request.tags ?? []);
  } catch (error) {
    void discardUpload(request.upload);
    throw error;
  }
  // Held before the upload is read: parallel uploads cannot all see the same free slot.
  let reservation: Awaited<ReturnType<typeof records.reserveImage>>;
  try {
    reservation = await records.reserveImage(userId, config);
  } catch (error) {
    void discardUpload(request.upload);
    throw error;
  }
  if (isRefusal(reservation)) {
    void discardUpload(request.upload);
    throw quotaError(reservation);
  }

  const limits = imageLimits(services);
  const imageId = randomUUID();
  const scratch = await blobs.scratchPath();
  const stored: string[] = [];
  try {
    const received = await receiveUpload(request.upload, scratch, limits);
    // One decode for the thumbnail and one for the rendition, both fast encodes: a short job.
    const { facts, thumbnail, rendition } = await imageQueue.run(
      async () => {
        const facts = await inspectImage(scratch, limits);
        const [thumbnail, rendition] = await Promise.all([makeThumbnail(scratch, limits), makeDisplayRendition(scratch, limits)]);
        return { facts, thumbnail, rendition };
      },
      { short: true },
    );
    const file = blobKeys.original(userId, imageId, FILE_EXTENSIONS[facts.format]);
    const thumbnailFile = blobKeys.thumbnail(userId, imageId);
    stored.push(file);
    await blobs.putFile(file, scratch, MIME_TYPES[facts.format]);
    stored.push(thumbnailFile);
    await blobs.put(thumbnailFile, thumbnail, MIME_TYPES.WEBP);
    // Kept only when it at least halves what a page fetches: an original that is already small or
    // compact is shown as it is.
    const displayFile = rendition.length * 2 <= received.bytes ? blobKeys.rendition(userId, imageId) : null;
    if (displayFile) {
      stored.push(displayFile);
      await blobs.put(displayFile, rendition, MIME_TYPES.WEBP);
    }

    const now = new Date().toISOString();
    const record: ImageRecord = {
      id: imageId,
      userId,
      name: name ?? nameFromFilename(received.filename),
      tags,
      format: facts.format,
      mimeType: MIME_TYPES[facts.format],
      width: facts.width,
      height: facts.height,
      bytes: received.bytes,
      file,
      thumbnailFile,
      thumbnailBytes: thumbnail.length,
      displayFile,
      photoFacts: facts.photo,
      createdAt: now,
      updatedAt: now,
    };
    await reservation.commit(record).catch(asQuotaError);
    return record;
  } catch (error) {
    await blobs.removeScratch(scratch);
    await blobs.remove(...stored).catch(() => {});
    throw error;
  } finally {
    await reservation.release().catch(() => {});
  }
}

/** Removes the record first (so nothing lists a file that is going away), then the files. */
export async function deleteStoredImage(services: Services, userId: string, imageId: string): Promise<boolean> {
  const removed = await services.records.removeImage(userId, imageId);
  if (!removed) return false;
  await services.blobs.remove(...imageFilesOf(removed.image), ...removed.compressions.map((compression) => compression.file));
  return true;
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
