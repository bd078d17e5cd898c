// The three ways to compress: a stored image into a stored compression (counted against the
// quotas, race-free like uploads), a stored image into a preview (nothing stored), and an upload
// straight into a response (nothing stored, no quota). And deleting a stored compression.
import { randomUUID } from 'node:crypto';
import type { FileUpload } from 'graphql-upload-minimal';
import { NotFoundError } from '../errors.ts';
import { discardUpload, receiveUpload } from '../http/uploads.ts';
import type { Services } from '../services.ts';
import { isRefusal } from '../store/quotas.ts';
import type { CompressionRecord, ImageRecord } from '../store/records.ts';
import { compressImage, type CompressedImage } from './compress.ts';
import { validateCompressOptions, type CompressOptionsInput, type CompressPlan } from './compress-options.ts';
import { extensionOf } from './encoders.ts';
import { imageLimits, quotaError } from './ingest.ts';
import { inspectImage } from './inspect.ts';

/** A compression returned in the response and not stored. */
export interface CompressedFile extends CompressedImage {
  originalBytes: number;
}

function ownImage(services: Services, userId: string, imageId: string): ImageRecord {
  const image = services.store.getImage(userId, imageId);
  if (!image) throw new NotFoundError('No such image.');
  return image;
}

function compressStored(services: Services, image: ImageRecord, plan: CompressPlan): Promise<CompressedImage> {
  const limits = imageLimits(services);
  const input = services.files.absolute(image.file);
  return services.imageQueue.run((job) => compressImage(services.ssim, { input, originalFormat: image.format, plan, limits }, job));
}

export async function storeCompression(services: Services, userId: string, imageId: string, plan: CompressPlan): Promise<CompressionRecord> {
  const { store, files, quotas } = services;
  const image = ownImage(services, userId, imageId);
  // Reserved before the first await, so parallel requests cannot all take the last slot.
  const reservation = quotas.reserveCompression(userId, imageId);
  if (isRefusal(reservation)) throw quotaError(reservation);
  const started = performance.now();
  try {
    const output = await compressStored(services, image, plan).catch((error: unknown) => {
      // The original went away under us (the image was deleted meanwhile): say that, not that
      // the file is not an image (which came back as an untyped top-level error).
      if (!store.getImage(userId, imageId)) throw new NotFoundError('The image was deleted while it was being compressed.');
      throw error;
    });
    const id = randomUUID();
    const file = files.compressionPath(userId, id, extensionOf(output.format));
    await files.writeAtomic(file, output.data);
    // The image may have been deleted while we worked: check in the same tick as the insert
    // (deleteImage removes the record first, then the files of the compressions it listed).
    if (!store.getImage(userId, imageId)) {
      await files.remove(file);
      throw new NotFoundError('The image was deleted while it was being compressed.');
    }
    const record: CompressionRecord = {
      id,
      imageId,
      userId,
      format: output.format,
      mimeType: output.mimeType,
      width: output.width,
      height: output.height,
      bytes: output.data.length,
      quality: output.quality,
      ssim: output.ssim,
      file,
      createdAt: new Date().toISOString(),
    };
    store.insertCompression(record);
    reservation.release();
    try {
      await store.persist();
    } catch (error) {
      store.removeCompression(userId, id);
      await files.remove(file);
      throw error;
    }
    services.metrics.observeCompression(output.format, (performance.now() - started) / 1000, Math.max(0, image.bytes - record.bytes));
    return record;
  } finally {
    reservation.release();
  }
}

export async function previewCompression(services: Services, userId: string, imageId: string, plan: CompressPlan): Promise<CompressedFile> {
  const image = ownImage(services, userId, imageId);
  const output = await compressStored(services, image, plan).catch((error: unknown) => {
    if (!services.store.getImage(userId, imageId)) throw new NotFoundError('The image was deleted while it was being compressed.');
    throw error;
  });
  return { ...output, originalBytes: image.bytes };
}

/** One shot: the upload goes to a temp file, is compressed and returned; the temp file always goes. */
export async function compressUpload(services: Services, upload: Promise<FileUpload>, options: CompressOptionsInput): Promise<CompressedFile> {
  let plan: CompressPlan;
  try {
    plan = validateCompressOptions(options);
  } catch (error) {
    void discardUpload(upload);
    throw error;
  }
  const limits = imageLimits(services);
  const temp = await services.files.tempFile();
  try {
    const received = await receiveUpload(upload, temp, limits);
    const output = await services.imageQueue.run(async (job) => {
      const facts = await inspectImage(temp, limits);
      return compressImage(services.ssim, { input: temp, originalFormat: facts.format, plan, limits }, job);
    });
    return { ...output, originalBytes: received.bytes };
  } finally {
    await services.files.removeAbsolute(temp);
  }
}

/** Record first (so nothing lists a file that is going away), then the file. */
export async function deleteCompression(services: Services, userId: string, compressionId: string): Promise<boolean> {
  const removed = services.store.removeCompression(userId, compressionId);
  if (!removed) return false;
  await services.store.persist();
  await services.files.remove(removed.file);
  return true;
}
