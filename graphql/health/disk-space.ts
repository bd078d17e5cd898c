// Free space on the disk that holds the data folder. Below the floor (MIN_FREE_DISK_BYTES) writes
// are refused before they start, so a full disk cannot leave half-written files or an account
// that exists only in memory, and /healthz says the disk is low. statfs is cheap but not free:
// one reading serves every request for a second.
import { statfs } from 'node:fs/promises';

export interface DiskReading {
  freeBytes: number;
  minFreeBytes: number;
  low: boolean;
}

export interface DiskSpace {
  read(): Promise<DiskReading>;
}

const READING_TTL_MS = 1000;

export function createDiskSpace(path: string, minFreeBytes: number, now: () => number = Date.now): DiskSpace {
  let cached: { at: number; reading: Promise<DiskReading> } | null = null;
  const measure = async (): Promise<DiskReading> => {
    const stats = await statfs(path);
    // bavail: blocks an unprivileged process may use (the container runs as `node`).
    const freeBytes = Number(stats.bavail) * Number(stats.bsize);
    return { freeBytes, minFreeBytes, low: freeBytes < minFreeBytes };
  };
  return {
    read() {
      if (!cached || now() - cached.at >= READING_TTL_MS) {
        cached = { at: now(), reading: measure() };
        cached.reading.catch(() => (cached = null));
      }
      return cached.reading;
    },
  };
}
