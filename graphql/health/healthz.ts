// GET /healthz: the record store, the file store and the data folder's disk, each with a verdict;
// 200 when all are fine, 503 otherwise. Answers within a few seconds even when a backend hangs.
import type { ServerResponse } from 'node:http';
import type { BlobStore, HealthCheck, RecordStore } from '../store/ports.ts';
import type { DiskSpace } from './disk-space.ts';

export function createHealthHandler(records: RecordStore, blobs: BlobStore, disk: DiskSpace) {
  return async function serveHealth(res: ServerResponse): Promise<void> {
    const [recordHealth, blobHealth, reading] = await Promise.all([
      checkHealth(() => records.health()),
      checkHealth(() => blobs.health()),
      disk.read().catch(() => null),
    ]);
    // The data folder's disk (uploads land there first, whatever the backends) below its floor.
    const diskHealth =
      reading === null
        ? { ok: false, state: 'unknown' }
        : { ok: !reading.low, state: reading.low ? 'low' : 'ok', freeBytes: reading.freeBytes, minFreeBytes: reading.minFreeBytes };
    const healthy = recordHealth.ok && blobHealth.ok && diskHealth.ok;
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable', records: recordHealth, files: blobHealth, disk: diskHealth }));
  };
}

/** A health check that throws or hangs counts as a failed one. */
async function checkHealth(check: () => Promise<HealthCheck>): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheck>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, status: 'timeout' }), HEALTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check().catch((error: unknown) => ({ ok: false, status: 'error', detail: { error: (error as Error).message } })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
const HEALTH_TIMEOUT_MS = 3_000;
