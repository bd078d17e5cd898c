// Blobs in a local folder (DATA_DIR), in the layout Pixpress has always used, so an existing data
// folder opens unchanged: {userId}/{imageId}.ext, {userId}/thumbnails/…, {userId}/renditions/…, {userId}/compressions/….
// A blob is written to scratch first, flushed, then renamed into place, so a reader (or a crash)
// never sees half a file. db.json, the secret, lock files and .tmp share the folder and are not
// blobs: only paths of the blob key shape are ever read, listed or removed.
import { constants } from 'node:fs';
import { access, copyFile, mkdir, open, readdir, readFile, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  BlobNotFoundError,
  type BlobListing,
  type BlobReadable,
  type BlobStat,
  type BlobStore,
  type DirectUrlOptions,
  type HealthCheck,
  type LocalCopy,
} from '../ports.ts';
import { assertBlobKey, isBlobKey, LIST_PAGE_SIZE } from './keys.ts';
import { ignoreMissing, ScratchFolder, type ScratchOptions } from './scratch.ts';

export const SCRATCH_FOLDER = '.tmp';
const USER_FOLDER = /^[0-9a-f-]{36}$/;
const KIND_FOLDERS = ['thumbnails', 'renditions', 'compressions'];
/** How many files remove() deletes at once. */
const REMOVE_CONCURRENCY = 32;

export class LocalBlobStore implements BlobStore {
  readonly backend = 'local' as const;
  readonly root: string;
  readonly #scratch: ScratchFolder;

  static async open(dataDir: string, options: ScratchOptions = {}): Promise<LocalBlobStore> {
    await mkdir(dataDir, { recursive: true });
    return new LocalBlobStore(dataDir, options);
  }

  constructor(dataDir: string, options: ScratchOptions = {}) {
    this.root = resolve(dataDir);
    this.#scratch = new ScratchFolder(join(this.root, SCRATCH_FOLDER), options);
  }

  /** This process's scratch folder (DATA_DIR/.tmp/<process id>). */
  get scratchDir(): string {
    return this.#scratch.path;
  }

  scratchPath(): Promise<string> {
    return this.#scratch.newPath();
  }

  removeScratch(path: string): Promise<void> {
    return this.#scratch.remove(path);
  }

  async putFile(key: string, scratchPath: string, _contentType: string): Promise<void> {
    const target = this.#pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    await syncFile(scratchPath);
    try {
      await rename(scratchPath, target);
    } catch (error) {
      // A scratch file from elsewhere (another volume) cannot be renamed in: copy, flush, then
      // rename a copy that is on this file system.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      const copy = await this.#scratch.newPath();
      try {
        await copyFile(scratchPath, copy);
        await syncFile(copy);
        await rename(copy, target);
      } finally {
        await rm(copy, { force: true });
      }
      await rm(scratchPath, { force: true });
    }
  }

  async put(key: string, data: Uint8Array, contentType: string): Promise<void> {
    assertBlobKey(key);
    const scratch = await this.#scratch.newPath();
    let handle: FileHandle | undefined;
    try {
      handle = await open(scratch, 'wx', 0o600);
      await handle.writeFile(data);
      await handle.close();
      handle = undefined;
      await this.putFile(key, scratch, contentType);
    } catch (error) {
      await handle?.close().catch(() => {});
      await rm(scratch, { force: true });
      throw error;
    }
  }

  async read(key: string): Promise<Buffer> {
    try {
      return await readFile(this.#pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw error;
    }
  }

  async open(key: string): Promise<BlobReadable | undefined> {
    const path = this.#pathOf(key);
    // Size and date from the open descriptor: a blob replaced meanwhile cannot mix the two.
    const handle = await open(path, 'r').catch(ignoreMissing(undefined));
    if (!handle) return undefined;
    try {
      const info = await handle.stat();
      if (!info.isFile()) {
        await handle.close();
        return undefined;
      }
      return { stream: handle.createReadStream(), size: info.size, lastModified: info.mtime };
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    const info = await stat(this.#pathOf(key)).catch(ignoreMissing(undefined));
    return info?.isFile() ? { size: info.size, lastModified: info.mtime } : undefined;
  }

  /** The blob's own path: sharp reads it in place, so there is nothing to release. */
  async localCopy(key: string): Promise<LocalCopy> {
    const path = this.#pathOf(key);
    const info = await stat(path).catch(ignoreMissing(undefined));
    if (!info?.isFile()) throw new BlobNotFoundError(key);
    return { path, release: async () => {} };
  }

  async remove(...keys: string[]): Promise<void> {
    const paths = keys.map((key) => this.#pathOf(key));
    for (let start = 0; start < paths.length; start += REMOVE_CONCURRENCY) {
      await Promise.all(paths.slice(start, start + REMOVE_CONCURRENCY).map((path) => rm(path, { force: true })));
    }
  }

  async *list(): AsyncIterable<BlobListing[]> {
    let keys: string[] = [];
    for await (const key of this.#walkKeys()) {
      keys.push(key);
      if (keys.length === LIST_PAGE_SIZE) {
        const page = await this.#withDates(keys);
        if (page.length > 0) yield page;
        keys = [];
      }
    }
    const page = await this.#withDates(keys);
    if (page.length > 0) yield page;
  }

  async directUrl(key: string, _options: DirectUrlOptions): Promise<string | null> {
    assertBlobKey(key);
    return null;
  }

  clearScratch(): Promise<number> {
    return this.#scratch.clear();
  }

  async health(): Promise<HealthCheck> {
    try {
      await access(this.root, constants.R_OK | constants.W_OK);
      const space = await statfs(this.root);
      return { ok: true, status: 'ok', detail: { freeBytes: space.bavail * space.bsize } };
    } catch (error) {
      return { ok: false, status: 'unwritable', detail: { error: (error as NodeJS.ErrnoException).code ?? (error as Error).message } };
    }
  }

  async close(): Promise<void> {
    await this.#scratch.dispose();
  }

  #pathOf(key: string): string {
    const path = join(this.root, assertBlobKey(key));
    // The key pattern already rules out "..", "/" at the start and NUL; this is the second lock.
    if (!path.startsWith(this.root + sep)) throw new Error(`blob key escapes the data folder: ${key}`);
    return path;
  }

  /** Blob keys under the folder, visiting only user folders (never .tmp or anything else). */
  async *#walkKeys(): AsyncIterable<string> {
    const users = await readdir(this.root, { withFileTypes: true }).catch(ignoreMissing([]));
    for (const user of users) {
      if (!user.isDirectory() || !USER_FOLDER.test(user.name)) continue;
      const entries = await readdir(join(this.root, user.name), { withFileTypes: true }).catch(ignoreMissing([]));
      for (const entry of entries) {
        if (entry.isFile()) {
          const key = `${user.name}/${entry.name}`;
          if (isBlobKey(key)) yield key;
        } else if (entry.isDirectory() && KIND_FOLDERS.includes(entry.name)) {
          const files = await readdir(join(this.root, user.name, entry.name), { withFileTypes: true }).catch(ignoreMissing([]));
          for (const file of files) {
            const key = `${user.name}/${entry.name}/${file.name}`;
            if (file.isFile() && isBlobKey(key)) yield key;
          }
        }
      }
    }
  }

  async #withDates(keys: string[]): Promise<BlobListing[]> {
    const listings = await Promise.all(
      keys.map(async (key) => {
        // Removed since the folder was read: not a blob any more.
        const info = await stat(join(this.root, key)).catch(ignoreMissing(undefined));
        return info ? { key, lastModified: info.mtime } : undefined;
      }),
    );
    return listings.filter((listing) => listing !== undefined);
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
