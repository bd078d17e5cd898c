// Opening the Postgres backend: a pool with bounded waits, one round trip to prove the database is
// there (or fail at start, naming DATABASE_URL and the cause), then the migrations.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { StorageUnavailableError, type RateCounters, type RecordStore } from '../ports.ts';
import { migrateToLatest } from './migrations.ts';
import { PostgresRateCounters } from './rate-counters.ts';
import { PostgresRecordStore } from './records.ts';
import { DEFAULT_RESERVATION_TTL_MS, ReservationBook } from './reservations.ts';
import type { Database } from './schema.ts';

export interface PostgresStoreOptions {
  logger?: Logger;
  /** How long a quota slot outlives its holder's last heartbeat. */
  reservationTtlMs?: number;
  /** Connections per instance; several instances share the server's max_connections. */
  poolSize?: number;
  /** A statement running (or waiting for a lock) longer than this is cancelled: StorageUnavailableError. */
  statementTimeoutMs?: number;
}

export interface PostgresStore {
  records: RecordStore;
  rateCounters: RateCounters;
  /** No user existed at open: the seeded user is made then (by whichever instance wins the name). */
  isNew: boolean;
}

const INT8_OID = 20;
/** How long a start, or a request waiting for a free connection, waits for one. */
const CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
/**
 * The client gives up on a query this long after the server should have cancelled it: only a
 * server that stopped answering altogether gets there.
 */
const QUERY_TIMEOUT_MARGIN_MS = 5_000;

// Counts and byte sizes are int8 columns; every value we store is far below 2^53.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A connection that dies emits 'error', and an 'error' event nobody listens to ends the process.
 * The pool listens on its idle connections only. One checked out of it (any Kysely statement or
 * transaction) has no listener, and a network cut (a reset, with no goodbye from the server) makes
 * node-postgres emit 'error' at once, whether a statement is running on it or not. So every
 * connection gets a listener of its own when it is made: the failure is logged, the statement on
 * it fails (StorageUnavailableError for a request), and pg-pool drops a connection that is no
 * longer queryable when it is given back. (session.ts also watches the connection it holds.)
 */
function survivePoolConnectionLoss(pool: pg.Pool, logger: Logger | undefined, whose = ''): void {
  const which = whose ? ` ${whose}` : '';
  pool.on('connect', (client) => {
    client.on('error', (error) => logger?.warn({ err: error }, `a Postgres connection${which} failed; the pool drops it`));
  });
  // The pool re-emits an idle connection's failure, already logged by that connection's listener.
  pool.on('error', () => {});
}

/** The URL without its password, for messages. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return `${parsed.protocol}//${parsed.username ? `${parsed.username}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'a malformed URL';
  }
}

/**
 * Migrations run on connections of their own, without the request timeouts: building an index on
 * a large table, or waiting for another instance's migrations, may take minutes.
 */
async function migrate(url: string, logger: Logger | undefined): Promise<string[]> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'pixpress-migrations',
  });
  survivePoolConnectionLoss(pool, logger, 'of the migrations');
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await migrateToLatest(db, pool);
  } finally {
    await db.destroy();
  }
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const { logger } = options;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    // A backstop for a server that stops answering mid-query (statement_timeout needs it alive).
    query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'pixpress',
    keepAlive: true,
    types,
  });
  survivePoolConnectionLoss(pool, logger);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  let isNew: boolean;
  try {
    await pool.query('select 1');
    const applied = await migrate(url, logger);
    if (applied.length > 0) logger?.info({ migrations: applied }, 'database schema migrated');
    isNew = (await pool.query('select 1 from users limit 1')).rowCount === 0;
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new StorageUnavailableError(`Postgres at DATABASE_URL (${describeDatabaseUrl(url)})`, error);
  }

  const reservations = new ReservationBook(db, options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS, logger);
  return { records: new PostgresRecordStore(db, pool, reservations), rateCounters: new PostgresRateCounters(db, logger), isNew };
}
