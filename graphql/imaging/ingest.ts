// Storing an uploaded original: reserve a quota slot, stream the file to a temp path, learn its
// format from its bytes, make the thumbnail (which proves the whole image decodes), move both
// files into place, and only then write the record. Any failure leaves nothing behind.
import { randomUUID } from 'node:crypto';
import type { FileUpload } from 'graphql-upload-minimal';
import { QuotaExceededError } from '../errors.ts';
import { discardUpload, receiveUpload } from '../http/uploads.ts';
import type { Services } from '../services.ts';
import { nameFromFilename, validateName, validateTags } from '../store/image-fields.ts';
import { isRefusal, type QuotaRefusal } from '../store/quotas.ts';
import { FILE_EXTENSIONS, MIME_TYPES, type ImageRecord } from '../store/records.ts';
import { inspectImage, makeThumbnail, type ImageLimits } from './inspect.ts';

export function imageLimits(services: Services): ImageLimits {
  const { config } = services;
  return {
    maxBytes: config.maxUploadBytes,
    maxPixels: config.maxInputPixels,
    timeoutSeconds: Math.ceil(config.imageJobTimeoutMs / 1000),
  };
}

export function quotaError(refusal: QuotaRefusal): QuotaExceededError {
  const what = { images: 'images', files: 'stored files', compressionsPerImage: 'compressions of this image' }[refusal.kind];
  return new QuotaExceededError(`You have reached your limit of ${refusal.limit} ${what}.`, refusal.limit);
}

export interface UploadRequest {
  upload: Promise<FileUpload>;
  name: string | null | undefined;
  tags: readonly string[] | null | undefined;
}

export async function storeUploadedImage(services: Services, userId: string, request: UploadRequest): Promise<ImageRecord> {
  const { files, store, quotas, imageQueue } = services;
  let name: string | null;
  let tags: string[];
  try {
    name = request.name == null ? null : validateName(request.name);
    tags = validateTags(request.tags ?? []);
  } catch (error) {
    void discardUpload(request.upload);
    throw error;
  }
  // Reserved before the first await: parallel uploads cannot all see the same free slot.
  const reservation = quotas.reserveImage(userId);
  if (isRefusal(reservation)) {
    void discardUpload(request.upload);
    throw quotaError(reservation);
  }

  const limits = imageLimits(services);
  const imageId = randomUUID();
  const temp = await files.tempFile();
  const committed: string[] = [];
  try {
    const received = await receiveUpload(request.upload, temp, limits);
    const { facts, thumbnail } = await imageQueue.run(async () => {
      const facts = await inspectImage(temp, limits);
      return { facts, thumbnail: await makeThumbnail(temp, limits) };
    });
    const file = files.originalPath(userId, imageId, FILE_EXTENSIONS[facts.format]);
    const thumbnailFile = files.thumbnailPath(userId, imageId);
    await files.commit(temp, file);
    committed.push(file);
    await files.writeAtomic(thumbnailFile, thumbnail);
    committed.push(thumbnailFile);

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
      createdAt: now,
      updatedAt: now,
    };
    store.insertImage(record);
    reservation.release();
    try {
      await store.persist();
    } catch (error) {
      store.removeImage(userId, imageId);
      throw error;
    }
    return record;
  } catch (error) {
    await files.removeAbsolute(temp);
    await files.remove(...committed);
    throw error;
  } finally {
    reservation.release();
  }
}

/** Removes the record first (so nothing lists a file that is going away), then the files. */
export async function deleteStoredImage(services: Services, userId: string, imageId: string): Promise<boolean> {
  const removed = services.store.removeImage(userId, imageId);
  if (!removed) return false;
  await services.store.persist();
  await services.files.remove(
    removed.image.file,
    removed.image.thumbnailFile,
    ...removed.compressions.map((compression) => compression.file),
  );
  return true;
}
