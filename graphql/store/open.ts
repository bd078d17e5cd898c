// Picks the storage backends from the configuration: records in the embedded lowdb document or
// in Postgres (DATABASE_URL), bytes in the local folder or an S3-compatible bucket (S3_BUCKET).
// Each is opened and checked before the server listens: a database or bucket that is named but
// cannot be reached stops the start with a message naming the variable, and never falls back to
// the embedded store.
//
// The bucket and Postgres modules are imported only when configured: the AWS SDK and the Postgres
// driver are about 15 MB of JavaScript heap, two fifths of an embedded server's, and every full
// garbage collection would otherwise walk them for nothing.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { LocalBlobStore, SCRATCH_FOLDER } from './blobs/local.ts';
import { EmbeddedRecordStore } from './embedded/records.ts';
import { MemoryRateCounters } from './embedded/rate-counters.ts';
import type { BlobStore, RateCounters, RecordStore } from './ports.ts';

export interface Storage {
  records: RecordStore;
  blobs: BlobStore;
  rateCounters: RateCounters;
  /** True when the records were created by this start (the seeded user is made then). */
  isNew: boolean;
  /** Writes a new embedded document after seeding; nothing for Postgres. */
  afterSeeding(): Promise<void>;
  /** Whether files without records may be removed at once (no other process can be writing). */
  exclusive: boolean;
}

export async function openStorage(config: Config, logger: Logger): Promise<Storage> {
  // With the embedded records, which lock the data folder, this is the only process using it:
  // scratch folders of other processes are a crashed run's, cleared at start whatever their age,
  // and files no record names are leftovers at once. With Postgres, several instances may share
  // the folder or the bucket.
  const exclusive = !config.databaseUrl;
  const scratch = { abandonedAfterMs: exclusive ? 0 : undefined };
  // Scratch files stay on local disk with a bucket too: uploads stream there while the byte
  // limit is enforced, and sharp reads from there.
  const blobs = config.s3
    ? await (await import('./blobs/s3.ts')).S3BlobStore.open(config.s3, {
        scratchDir: join(config.dataDir, SCRATCH_FOLDER),
        logger,
        ...scratch,
      })
    : await LocalBlobStore.open(config.dataDir, scratch);
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('./postgres/connect.ts');
    const postgres = await openPostgresStore(config.databaseUrl, {
      logger,
      reservationTtlMs: config.reservationTtlSeconds * 1000,
      poolSize: config.postgresPoolSize,
      statementTimeoutMs: config.postgresStatementTimeoutMs,
    }).catch(async (error: unknown) => {
      await blobs.close();
      throw error;
    });
    return {
      records: postgres.records,
      blobs,
      rateCounters: postgres.rateCounters,
      isNew: postgres.isNew,
      afterSeeding: async () => {},
      exclusive,
    };
  }
  const records = await EmbeddedRecordStore.open(config.dataDir, {
    onNearCapacity: (bytes, capacity) =>
      logger.warn(
        { documentBytes: bytes, warnBytes: capacity.warnBytes, refuseBytes: capacity.refuseBytes },
        'the embedded database is getting large: writes slow down with its size; move to Postgres (npm run migrate-store)',
      ),
  }).catch(async (error: unknown) => {
    await blobs.close();
    throw error;
  });
  return {
    records,
    blobs,
    rateCounters: new MemoryRateCounters(),
    isNew: records.isNew,
    afterSeeding: () => (records.isNew ? records.persist() : Promise.resolve()),
    exclusive,
  };
}
