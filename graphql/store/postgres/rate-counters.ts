// Sliding-window counters in a table, so that every instance counts toward one limit (failed logins
// from anywhere). Times are the database's clock, the one clock all instances share.
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { RateCounters } from '../ports.ts';
import { guarded } from './errors.ts';
import type { Database } from './schema.ts';

/** How often one instance clears every key's expired events (each key's own are pruned on add). */
const GLOBAL_PRUNE_EVERY_MS = 5 * 60_000;

function windowStart(windowMs: number) {
  return sql<Date>`now() - ${windowMs}::double precision * interval '1 millisecond'`;
}

/**
 * Keys are built from what clients send (a username at login), and Postgres text cannot hold
 * U+0000: escaped, one-to-one, so no two keys share a row.
 */
function storedKey(key: string): string {
  return key.includes('\0') || key.includes('\\') ? key.replace(/\\/g, '\\\\').replace(/\0/g, '\\0') : key;
}

export class PostgresRateCounters implements RateCounters {
  private readonly db: Kysely<Database>;
  private readonly logger: Logger | undefined;
  private lastGlobalPrune = Date.now();

  constructor(db: Kysely<Database>, logger: Logger | undefined) {
    this.db = db;
    this.logger = logger;
  }

  count(rawKey: string, windowMs: number): Promise<{ count: number; oldestMs: number | null }> {
    const key = storedKey(rawKey);
    return guarded(async () => {
      const row = await this.db
        .selectFrom('rate_events')
        .select([sql<number>`count(*)::int`.as('count'), sql<Date | null>`min(at)`.as('oldest')])
        .where('key', '=', key)
        .where('at', '>', windowStart(windowMs))
        .executeTakeFirstOrThrow();
      return { count: row.count, oldestMs: row.oldest?.getTime() ?? null };
    });
  }

  add(rawKey: string, windowMs: number): Promise<number> {
    const key = storedKey(rawKey);
    this.pruneNowAndThen();
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        // One add per key at a time across instances, so the count returned is exact: the login
        // throttle relies on it to notice that a parallel attempt took the last try.
        await sql`select pg_advisory_xact_lock(hashtextextended(${`rate:${key}`}, 0))`.execute(trx);
        await trx.deleteFrom('rate_events').where('key', '=', key).where('at', '<=', windowStart(windowMs)).execute();
        await trx
          .insertInto('rate_events')
          .values({ key, at: sql<Date>`now()`, expires_at: sql<Date>`now() + ${windowMs}::double precision * interval '1 millisecond'` })
          .execute();
        const { count } = await trx
          .selectFrom('rate_events')
          .select(sql<number>`count(*)::int`.as('count'))
          .where('key', '=', key)
          .where('at', '>', windowStart(windowMs))
          .executeTakeFirstOrThrow();
        return count;
      }),
    );
  }

  clear(rawKey: string): Promise<void> {
    return guarded(async () => {
      await this.db.deleteFrom('rate_events').where('key', '=', storedKey(rawKey)).execute();
    });
  }

  /** Keys that are never added to again would keep their rows: clear them once in a while. */
  private pruneNowAndThen(): void {
    if (Date.now() - this.lastGlobalPrune < GLOBAL_PRUNE_EVERY_MS) return;
    this.lastGlobalPrune = Date.now();
    this.db
      .deleteFrom('rate_events')
      .where('expires_at', '<', sql<Date>`now()`)
      .execute()
      .catch((error: unknown) => this.logger?.warn({ err: error }, 'could not prune expired rate events'));
  }
}
