// Start-up repair after a crash: files are written before their records and records are removed
// before their files, so a crash can leave files no record names (removed here) but should never
// leave records without files. Should one appear anyway (a file deleted by hand), the record goes.
import type { Store } from './db.ts';
import type { FileStore } from './files.ts';

export interface SweepReport {
  tempFilesRemoved: number;
  orphanFilesRemoved: string[];
  imagesWithoutFiles: string[];
  compressionsWithoutFiles: string[];
}

export async function sweepDataDir(store: Store, files: FileStore): Promise<SweepReport> {
  const tempFilesRemoved = await files.clearTemp();
  const onDisk = new Set(await files.listStoredFiles());
  const referenced = new Set<string>();
  const imagesWithoutFiles: string[] = [];
  const compressionsWithoutFiles: string[] = [];

  for (const user of Object.values(store.data.users)) {
    for (const image of store.listImages(user.id)) {
      if (!onDisk.has(image.file) || !onDisk.has(image.thumbnailFile)) {
        imagesWithoutFiles.push(image.id);
        store.removeImage(user.id, image.id);
        continue;
      }
      referenced.add(image.file).add(image.thumbnailFile);
      for (const compression of store.listCompressions(image.id)) {
        if (!onDisk.has(compression.file)) {
          compressionsWithoutFiles.push(compression.id);
          store.removeCompression(user.id, compression.id);
        } else {
          referenced.add(compression.file);
        }
      }
    }
  }
  if (imagesWithoutFiles.length > 0 || compressionsWithoutFiles.length > 0) await store.persist();

  const orphanFilesRemoved = [...onDisk].filter((path) => !referenced.has(path));
  await files.remove(...orphanFilesRemoved);
  return { tempFilesRemoved, orphanFilesRemoved, imagesWithoutFiles, compressionsWithoutFiles };
}
