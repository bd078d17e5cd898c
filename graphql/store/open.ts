// Picks the storage backends from the configuration: records in the embedded lowdb document or
// in Postgres (DATABASE_URL), bytes in the local folder or an S3-compatible bucket (S3_BUCKET).
// Each is opened and checked before the server listens: a database or bucket that is named but
// cannot be reached stops the start with a message naming the variable, and never falls back to
// the embedded store.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { EmbeddedRecordStore } from './embedded/records.ts';
import { MemoryRateCounters } from './embedded/rate-counters.ts';
import { FileStore } from './files.ts';
import { openPostgresStore } from './postgres/connect.ts';
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
  const blobs = new FileStore(config.dataDir);
  if (config.databaseUrl) {
    const postgres = await openPostgresStore(config.databaseUrl, { logger, reservationTtlMs: config.reservationTtlSeconds * 1000 });
    return {
      records: postgres.records,
      blobs,
      rateCounters: postgres.rateCounters,
      isNew: postgres.isNew,
      afterSeeding: async () => {},
      exclusive: false,
    };
  }
  const records = await EmbeddedRecordStore.open(config.dataDir, {
    onNearCapacity: (bytes, capacity) =>
      logger.warn(
        { documentBytes: bytes, warnBytes: capacity.warnBytes, refuseBytes: capacity.refuseBytes },
        'the embedded database is getting large: writes slow down with its size; move to Postgres (npm run migrate-store)',
      ),
  });
  return {
    records,
    blobs,
    rateCounters: new MemoryRateCounters(),
    isNew: records.isNew,
    afterSeeding: () => (records.isNew ? records.persist() : Promise.resolve()),
    exclusive: true,
  };
}
