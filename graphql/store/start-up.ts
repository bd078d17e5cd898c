// What happens to the storage before the app serves: the start-up sweep, the seeded user on new
// storage, the backend's own after-seeding step; then, with several instances, an hourly sweep.
import type { Logger } from 'pino';
import { createUser } from '../auth/accounts.ts';
import type { Services } from '../services.ts';
import type { Storage } from './open.ts';
import { sweepStorage } from './sweep.ts';

/** How often a multi-instance deployment sweeps, and how old an unnamed file must be to go. */
const SWEEP_INTERVAL_MS = 60 * 60_000;
const SWEEP_GRACE_MS = 60 * 60_000;

/**
 * Sweeps and seeds (closing the storage if that fails); returns what stops the later sweeps.
 */
export async function prepareStorage(storage: Storage, services: Services, logger: Logger): Promise<{ stop(): void }> {
  const { records, blobs } = storage;
  const { config } = services;
  const sweep = async (atStart: boolean) => {
    // With one process on the data, files no record names are leftovers at once; with several
    // instances, they may be another instance's upload between its file and its record.
    const graceMs = storage.exclusive ? 0 : SWEEP_GRACE_MS;
    const report = await records.exclusively('sweep', () => sweepStorage(records, blobs, { graceMs, clearScratch: atStart }));
    if (!report) return;
    if (
      report.scratchFilesRemoved +
        report.orphanFilesRemoved.length +
        report.imagesWithoutFiles.length +
        report.compressionsWithoutFiles.length >
      0
    ) {
      logger.warn({ sweep: report }, atStart ? 'start-up sweep repaired the data folder' : 'sweep repaired the storage');
    } else if (atStart) {
      logger.info('start-up sweep found nothing to repair');
    }
  };
  try {
    await sweep(true);
    if (storage.isNew && config.seedUser) {
      await createUser(services, config.seedUser.username, config.seedUser.password);
      logger.info({ username: config.seedUser.username }, 'created the seeded user');
    }
    await storage.afterSeeding();
  } catch (error) {
    await Promise.allSettled([records.close(), blobs.close()]);
    throw error;
  }
  // Later sweeps only matter with several instances (one of them may have died mid-upload).
  const sweepTimer = storage.exclusive
    ? null
    : setInterval(() => sweep(false).catch((error: unknown) => logger.error({ err: error }, 'sweep failed')), SWEEP_INTERVAL_MS).unref();
  return {
    stop() {
      if (sweepTimer) clearInterval(sweepTimer);
    },
  };
}
