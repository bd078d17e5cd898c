// Files still being received or made live in a scratch folder of their own per process, inside a
// shared parent (DATA_DIR/.tmp). Per process, because instances sharing a volume must never clear
// each other's files in flight; on the blobs' own file system, so a local put is a rename.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

/** Another process's folder untouched for this long belongs to a process that is gone. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

export interface ScratchOptions {
  /** Names this process's folder; random by default so that restarts and hosts never collide. */
  processId?: string;
  /**
   * How long another process's folder must be untouched before clear() takes it (an hour). 0
   * when no other process can be using the parent: the embedded records lock the data folder, so
   * every other folder there is a crashed run's.
   */
  abandonedAfterMs?: number;
}

export class ScratchFolder {
  /** The shared parent (DATA_DIR/.tmp). */
  readonly parent: string;
  /** This process's own folder inside it. */
  readonly path: string;
  readonly #abandonedAfterMs: number;

  constructor(parent: string, options: ScratchOptions = {}) {
    this.parent = resolve(parent);
    const processId = options.processId ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
    if (!/^[\w.-]{1,100}$/.test(processId) || processId.startsWith('.')) throw new Error(`unusable scratch process id: ${processId}`);
    this.path = join(this.parent, processId);
    this.#abandonedAfterMs = options.abandonedAfterMs ?? ABANDONED_AFTER_MS;
  }

  async newPath(): Promise<string> {
    // Made on every call: another instance's clear() may have taken an idle folder, or the empty
    // parent, away (even between the two steps of this mkdir, hence the second try).
    await mkdir(this.path, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      return mkdir(this.path, { recursive: true });
    });
    return join(this.path, randomUUID());
  }

  /** Removes one scratch file; refuses any path outside this process's folder. */
  async remove(path: string): Promise<void> {
    if (!this.contains(path)) throw new Error(`not a scratch file of this process: ${path}`);
    await rm(path, { force: true });
  }

  contains(path: string): boolean {
    return resolve(path).startsWith(this.path + sep);
  }

  /**
   * Removes this process's folder, every other process's folder untouched for longer than an
   * hour, and loose files (the single-process layout of earlier versions, which never shared a
   * folder). Returns how many files went.
   */
  async clear(nowMs = Date.now()): Promise<number> {
    const entries = await readdir(this.parent, { withFileTypes: true }).catch(ignoreMissing([]));
    let removed = 0;
    for (const entry of entries) {
      const path = join(this.parent, entry.name);
      if (!entry.isDirectory()) {
        await rm(path, { force: true });
        removed += 1;
        continue;
      }
      if (path !== this.path) {
        const touchedMs = await lastTouchedMs(path);
        if (touchedMs === undefined || nowMs - touchedMs <= this.#abandonedAfterMs) continue;
      }
      removed += await countFiles(path);
      await rm(path, { recursive: true, force: true });
    }
    await this.#removeParentIfEmpty();
    return removed;
  }

  /**
   * On close: this process writes no more scratch files, so its folder goes, and a crash is the
   * only way one is left behind (for a later start to clear once it is an hour old).
   */
  async dispose(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
    await this.#removeParentIfEmpty();
  }

  /** No empty .tmp left behind in the data folder; another process's folder keeps it. */
  async #removeParentIfEmpty(): Promise<void> {
    await rmdir(this.parent).catch((error: NodeJS.ErrnoException) => {
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(error.code ?? '')) throw error;
    });
  }
}

/** The newest modification time of a folder and what is in it (a file being written counts). */
async function lastTouchedMs(folder: string): Promise<number | undefined> {
  const own = await stat(folder).catch(ignoreMissing(undefined));
  if (!own) return undefined;
  let newest = own.mtimeMs;
  const names = await readdir(folder).catch(ignoreMissing([] as string[]));
  for (const name of names) {
    const info = await stat(join(folder, name)).catch(ignoreMissing(undefined));
    if (info) newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

async function countFiles(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(ignoreMissing([]));
  return entries.filter((entry) => !entry.isDirectory()).length;
}

export function ignoreMissing<T>(fallback: T) {
  return (error: NodeJS.ErrnoException): T => {
    if (error.code === 'ENOENT') return fallback;
    throw error;
  };
}
