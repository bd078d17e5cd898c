// Repair after a crash, run at start and then now and then by one instance at a time. Files are
// written before their records and records are removed before their files, so a crash can leave
// files no record names (removed here, once older than a grace period that covers uploads still
// in flight on other instances) but should never leave records without files. Should one appear
// anyway (a file deleted by hand), the record goes.
import type { BlobStore, RecordStore } from './ports.ts';

export interface SweepReport {
  scratchFilesRemoved: number;
  orphanFilesRemoved: string[];
  imagesWithoutFiles: string[];
  compressionsWithoutFiles: string[];
}

export interface SweepOptions {
  /**
   * Files younger than this are left alone even when no record names them: another instance may
   * be between writing a file and its record. 0 when this process is the only writer.
   */
  graceMs: number;
  /** At start only: this process's scratch files are then leftovers (later, they are uploads in flight). */
  clearScratch: boolean;
  now?: () => number;
}

const CLOCK_SKEW_MS = 60_000;

export async function sweepStorage(records: RecordStore, blobs: BlobStore, options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? Date.now;
  const scratchFilesRemoved = options.clearScratch ? await blobs.clearScratch() : 0;
  const listedAt = now();
  const stored = new Map<string, number>();
  for await (const page of blobs.list()) for (const blob of page) stored.set(blob.key, blob.lastModified.getTime());

  // A record is written after its files, so one written after the listing began may name files
  // the listing missed: judge only older ones (with a margin for other instances' clocks).
  const judgedBefore = new Date(listedAt - (options.graceMs > 0 ? CLOCK_SKEW_MS : 0)).toISOString();
  const imagesWithoutFiles: Array<{ userId: string; imageId: string }> = [];
  const compressionsWithoutFiles: Array<{ userId: string; compressionId: string }> = [];
  for await (const page of records.storedFiles()) {
    for (const image of page) {
      if (image.createdAt < judgedBefore && image.imageFiles.some((key) => !stored.has(key))) {
        imagesWithoutFiles.push({ userId: image.userId, imageId: image.imageId });
        continue;
      }
      for (const key of image.imageFiles) stored.delete(key);
      for (const compression of image.compressions) {
        if (compression.createdAt < judgedBefore && !stored.has(compression.file)) {
          compressionsWithoutFiles.push({ userId: image.userId, compressionId: compression.id });
        }
        stored.delete(compression.file);
      }
    }
  }
  await records.removeRecordsWithoutFiles(imagesWithoutFiles, compressionsWithoutFiles);

  // What is left in `stored` is named by no record.
  const orphanFilesRemoved = [...stored].filter(([, modified]) => modified <= listedAt - options.graceMs).map(([key]) => key);
  await blobs.remove(...orphanFilesRemoved);
  return {
    scratchFilesRemoved,
    orphanFilesRemoved,
    imagesWithoutFiles: imagesWithoutFiles.map((image) => image.imageId),
    compressionsWithoutFiles: compressionsWithoutFiles.map((compression) => compression.compressionId),
  };
}
