// The three ways to compress: a stored image into a stored compression (counted against the
// quotas, race-free like uploads), a stored image into a preview (nothing stored), and an upload
// straight into a response (nothing stored, no quota). And deleting a stored compression.
import { randomUUID } from 'node:crypto';
import type { FileUpload } from 'graphql-upload-minimal';
import { NotFoundError } from '../errors.ts';
import { formatFromSignature } from '../shared/formats.ts';
import { discardUpload, receiveUpload } from '../http/uploads.ts';
import type { Services } from '../services.ts';
import { blobKeys, isRefusal } from '../store/ports.ts';
import type { CompressionRecord, ImageRecord } from '../store/records.ts';
import { compressImage, type CompressedImage } from './compress.ts';
import { isShortJob, settingsOf, validateCompressOptions, type CompressOptionsInput, type CompressPlan } from './compress-options.ts';
import { extensionOf } from './encoders.ts';
import { asQuotaError, imageLimits, quotaError } from './ingest.ts';
import { inspectHeader } from './inspect.ts';
import { planFromChoice } from './preview-ticket.ts';

/** A compression returned in the response and not stored. */
export interface CompressedFile extends CompressedImage {
  originalBytes: number;
  /** For a preview: lets compressImage store this result without searching again (preview-ticket.ts). */
  ticket: string | null;
}

export async function ownImage(services: Services, userId: string, imageId: string): Promise<ImageRecord> {
  const image = await services.records.getImage(userId, imageId);
  if (!image) throw new NotFoundError('No such image.');
  return image;
}

/** Compresses a stored original; with a bucket, the original is fetched to a scratch file first. */
/** The record of a compression of `image` whose output was written to `file`. */
export function compressionRecordOf(
  output: CompressedImage,
  { id, image, file, options }: { id: string; image: ImageRecord; file: string; options: CompressionRecord['options'] },
): CompressionRecord {
  return {
    id,
    imageId: image.id,
    userId: image.userId,
    format: output.format,
    mimeType: output.mimeType,
    width: output.width,
    height: output.height,
    bytes: output.data.length,
    quality: output.quality,
    ssim: output.ssim,
    file,
    createdAt: new Date().toISOString(),
    options,
  };
}

export async function compressStored(services: Services, image: ImageRecord, plan: CompressPlan): Promise<CompressedImage> {
  const limits = imageLimits(services);
  const original = await services.blobs.localCopy(image.file).catch(async (error: unknown) => {
    // The original went away under us (the image was deleted meanwhile): say that, not that
    // the file is not an image.
    if (!(await services.records.getImage(image.userId, image.id)))
      throw new NotFoundError('The image was deleted while it was being compressed.');
    throw error;
  });
  try {
    return await services.imageQueue.run(
      (job) => compressImage(services.ssim, { input: original.path, originalFormat: image.format, plan, limits }, job),
      { short: isShortJob(plan, image.format) },
    );
  } catch (error) {
    if (!(await services.records.getImage(image.userId, image.id)))
      throw new NotFoundError('The image was deleted while it was being compressed.');
    throw error;
  } finally {
    await original.release();
  }
}

export async function storeCompression(
  services: Services,
  userId: string,
  imageId: string,
  requested: CompressPlan,
  ticket: string | null = null,
): Promise<CompressionRecord> {
  const { records, blobs, config } = services;
  const image = await ownImage(services, userId, imageId);
  const choice = ticket ? services.previewTickets.redeem(ticket, { userId, imageId, imageFile: image.file, plan: requested }) : null;
  const plan = choice ? planFromChoice(requested, choice) : requested;
  // Held before the work starts, so parallel requests cannot all take the last slot.
  const reservation = await records.reserveCompression(userId, imageId, config);
  if (isRefusal(reservation)) throw quotaError(reservation);
  const started = performance.now();
  let file: string | null = null;
  try {
    const output = await compressStored(services, image, plan);
    const id = randomUUID();
    file = blobKeys.compression(userId, id, extensionOf(output.format));
    await blobs.put(file, output.data, output.mimeType);
    // The options recorded are what was asked for, not the ticket's choice it may have been encoded at.
    const record = compressionRecordOf(output, { id, image, file, options: settingsOf(requested, image.format) });
    // The image may have been deleted while we worked: commit checks, in the same unit of work
    // as the insert (deleteImage removes the record first, then the files it listed).
    if (!(await reservation.commit(record).catch(asQuotaError)))
      throw new NotFoundError('The image was deleted while it was being compressed.');
    file = null;
    services.metrics.observeCompression(output.format, (performance.now() - started) / 1000, Math.max(0, image.bytes - record.bytes));
    return record;
  } finally {
    if (file) await blobs.remove(file).catch(() => {});
    await reservation.release().catch(() => {});
  }
}

export async function previewCompression(services: Services, userId: string, imageId: string, plan: CompressPlan): Promise<CompressedFile> {
  const image = await ownImage(services, userId, imageId);
  const output = await compressStored(services, image, plan);
  const ticket = services.previewTickets.issue({ userId, imageId, imageFile: image.file, plan }, output);
  return { ...output, originalBytes: image.bytes, ticket };
}

/** One shot: the upload goes to a scratch file, is compressed and returned; the scratch file always goes. */
export async function compressUpload(
  services: Services,
  upload: Promise<FileUpload>,
  options: CompressOptionsInput,
  { measureSsim = true }: { measureSsim?: boolean } = {},
): Promise<CompressedFile> {
  let plan: CompressPlan;
  try {
    plan = { ...validateCompressOptions(options), measureSsim };
  } catch (error) {
    void discardUpload(upload);
    throw error;
  }
  const limits = imageLimits(services);
  const temp = await services.blobs.scratchPath();
  try {
    const received = await receiveUpload(upload, temp, limits);
    // How long a job this is depends on the original's format when none is asked for: its first
    // bytes' claim is enough for that (a file that lies fails its decode, quickly).
    const claimed = formatFromSignature(received.head);
    const output = await services.imageQueue.run(
      async (job) => {
        const { facts, metadata } = await inspectHeader(temp, limits);
        return compressImage(services.ssim, { input: temp, originalFormat: facts.format, plan, limits, metadata }, job);
      },
      { short: isShortJob(plan, claimed) },
    );
    return { ...output, originalBytes: received.bytes, ticket: null };
  } finally {
    await services.blobs.removeScratch(temp);
  }
}

/** Record first (so nothing lists a file that is going away), then the file. */
export async function deleteCompression(services: Services, userId: string, compressionId: string): Promise<boolean> {
  const removed = await services.records.removeCompression(userId, compressionId);
  if (!removed) return false;
  await services.blobs.remove(removed.file);
  return true;
}
