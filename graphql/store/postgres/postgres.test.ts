// The contract suite against a real Postgres, plus what only a shared database can show: several
// instances counting one quota, the slot of a killed instance coming back, migrations raced by
// instances starting together, and start-up failing loudly. Each run makes its own databases on
// the server named by PIXPRESS_TEST_DATABASE_URL (an admin URL) and drops them afterwards.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRefusal, QuotaRefusedError, StorageUnavailableError, type ImageReservation, type QuotaLimits } from '../ports.ts';
import type { ImageRecord, UserRecord } from '../records.ts';
import { describeRecordStoreContract } from '../testsuite/records-contract.ts';
import { openPostgresStore, type PostgresStore } from './connect.ts';
import { MIGRATIONS } from './migrations.ts';
import { createDatabase, databaseUrlFor, dropDatabase, withAdmin } from '../../../testkit/storage-admin.ts';

// The one test file allowed to read the environment: it says which server to test against.
const adminUrl = process.env.PIXPRESS_TEST_DATABASE_URL?.trim() || null;
if (!adminUrl) console.log('skipped: no PIXPRESS_TEST_DATABASE_URL (the Postgres store tests need a server to create databases on)');

const LIMITS: QuotaLimits = { quotaImages: 1000, quotaCompressionsPerImage: 1000, quotaFiles: 10_000, quotaBytes: 1e12 };

interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function createTestDatabase(): Promise<TestDatabase> {
  const name = `pixpress_test_${randomBytes(6).toString('hex')}`;
  await createDatabase(adminUrl!, name);
  return { url: databaseUrlFor(adminUrl!, name), drop: () => dropDatabase(adminUrl!, name) };
}

/** One statement on its own connection, beside the stores under test (as an operator would). */
async function runSql<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function newUser(): UserRecord {
  const username = `user-${randomUUID().slice(0, 8)}`;
  return { id: randomUUID(), username, usernameKey: username, passwordHash: 'h', createdAt: new Date().toISOString(), tokenVersion: 0 };
}

function imageOf(user: UserRecord): ImageRecord {
  const id = randomUUID();
  const now = new Date().toISOString();
  return {
    id,
    userId: user.id,
    name: 'photo.jpg',
    tags: [],
    format: 'JPEG',
    mimeType: 'image/jpeg',
    width: 10,
    height: 10,
    bytes: 100,
    file: `${user.id}/${id}.jpg`,
    thumbnailFile: `${user.id}/thumbnails/${id}.webp`,
    thumbnailBytes: 10,
    displayFile: `${user.id}/renditions/${id}.webp`,
    photoFacts: null,
    createdAt: now,
    updatedAt: now,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(!adminUrl)('Postgres store', () => {
  describeRecordStoreContract('postgres', async () => {
    const database = await createTestDatabase();
    const store = await openPostgresStore(database.url);
    return {
      ...store,
      cleanup: async () => {
        await store.records.close();
        await database.drop();
      },
    };
  });

  describe('with several instances on one database', () => {
    let database: TestDatabase;
    const opened: PostgresStore[] = [];
    const open = async (options: Parameters<typeof openPostgresStore>[1] = {}) => {
      const store = await openPostgresStore(database.url, options);
      opened.push(store);
      return store;
    };

    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(async () => {
      for (const store of opened) await store.records.close();
      await database?.drop();
    });

    it('never exceeds a quota when two instances reserve at once', async () => {
      const [first, second] = [await open(), await open()];
      const user = newUser();
      expect(await first.records.insertUser(user)).toBe(true);
      const limits = { ...LIMITS, quotaImages: 7 };
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, index) => (index % 2 === 0 ? first : second).records.reserveImage(user.id, limits)),
      );
      const granted = answers.filter((answer): answer is ImageReservation => !isRefusal(answer));
      expect(granted).toHaveLength(7);
      await Promise.all(granted.map((reservation) => reservation.commit(imageOf(user))));
      expect((await second.records.usage([user.id])).get(user.id)).toEqual({ images: 7, files: 7, bytes: 700 });
      expect(await first.records.reserveImage(user.id, limits)).toEqual({ kind: 'images', limit: 7 });
      expect(await second.records.reserveImage(user.id, limits)).toEqual({ kind: 'images', limit: 7 });
    });

    it('gives back the slots of an instance killed while holding them, after their expiry, and not before', async () => {
      const survivor = await open();
      const user = newUser();
      await survivor.records.insertUser(user);
      const ttlMs = 1000;
      const limits = { ...LIMITS, quotaImages: 2 };
      // Another process holds both slots, renewing them on its heartbeat, until it is SIGKILLed.
      const holder = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { openPostgresStore } = await import(${JSON.stringify(fileURLToPath(new URL('./connect.ts', import.meta.url)))});
           const store = await openPostgresStore(process.env.HOLDER_URL, { reservationTtlMs: ${ttlMs} });
           const limits = ${JSON.stringify(limits)};
           await store.records.reserveImage(process.env.HOLDER_USER, limits);
           await store.records.reserveImage(process.env.HOLDER_USER, limits);
           console.log('held');
           setInterval(() => {}, 1000);`,
        ],
        { env: { ...process.env, HOLDER_URL: database.url, HOLDER_USER: user.id }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
          holder.on('exit', (code) => reject(new Error(`the holder exited early (${code})`)));
        });
        // Alive past several TTLs: the heartbeat keeps its slots.
        await sleep(ttlMs * 2.5);
        expect(await survivor.records.reserveImage(user.id, limits)).toEqual({ kind: 'images', limit: 2 });
      } finally {
        holder.kill('SIGKILL');
      }
      const killedAt = Date.now();
      let freed: ImageReservation | undefined;
      while (!freed && Date.now() - killedAt < ttlMs * 5) {
        const answer = await survivor.records.reserveImage(user.id, limits);
        if (!isRefusal(answer)) freed = answer;
        else await sleep(100);
      }
      const waited = Date.now() - killedAt;
      expect(freed).toBeDefined();
      expect(waited).toBeLessThan(ttlMs * 2);
      await freed!.commit(imageOf(user));
      expect((await survivor.records.usage([user.id])).get(user.id)?.images).toBe(1);
    });

    it('refuses a commit whose slot expired and was taken meanwhile, writing nothing', async () => {
      const [slow, fast] = [await open(), await open()];
      const user = newUser();
      await slow.records.insertUser(user);
      const limits = { ...LIMITS, quotaImages: 1 };
      const stalled = await slow.records.reserveImage(user.id, limits);
      if (isRefusal(stalled)) throw new Error('expected a slot');
      // As if the holder had stalled past the TTL: its row expired and another reservation cleared it.
      await runSql(database.url, `update reservations set expires_at = now() - interval '1 second' where user_id = $1`, [user.id]);
      const taken = await fast.records.reserveImage(user.id, limits);
      if (isRefusal(taken)) throw new Error('the expired slot should be free');
      await taken.commit(imageOf(user));
      const late = imageOf(user);
      const error = await stalled.commit(late).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(QuotaRefusedError);
      expect((error as QuotaRefusedError).refusal).toEqual({ kind: 'images', limit: 1 });
      expect(await slow.records.getImage(user.id, late.id)).toBeUndefined();
      expect((await slow.records.usage([user.id])).get(user.id)?.images).toBe(1);
    });

    it('commits a slot that expired when the quota still has room', async () => {
      const store = await open();
      const user = newUser();
      await store.records.insertUser(user);
      const reservation = await store.records.reserveImage(user.id, { ...LIMITS, quotaImages: 2 });
      if (isRefusal(reservation)) throw new Error('expected a slot');
      await runSql(database.url, 'delete from reservations where user_id = $1', [user.id]);
      const image = imageOf(user);
      await reservation.commit(image);
      expect(await store.records.getImage(user.id, image.id)).toEqual(image);
    });

    it('lets one instance at a time run exclusive work', async () => {
      const [first, second] = [await open(), await open()];
      const exclusively = (store: PostgresStore) => store.records.exclusively.bind(store.records);
      let release!: () => void;
      const running = exclusively(first)('sweep', () => new Promise<string>((resolve) => (release = () => resolve('first ran'))));
      await sleep(100);
      expect(await exclusively(second)('sweep', async () => 'second ran')).toBeUndefined();
      expect(await exclusively(second)('other work', async () => 'second ran')).toBe('second ran');
      release();
      expect(await running).toBe('first ran');
      expect(await exclusively(second)('sweep', async () => 'second ran')).toBe('second ran');
    });

    it("survives the exclusive work's session dying while it holds the lock, which goes with it", async () => {
      const [first, second] = [await open(), await open()];
      let release!: () => void;
      const running = first.records.exclusively('sweep', () => new Promise<string>((resolve) => (release = () => resolve('first ran'))));
      await sleep(100);
      // As a Postgres restart or a failover would: the lock's session ends between two queries.
      const databaseName = new URL(database.url).pathname.slice(1);
      const terminated = await withAdmin(adminUrl!, (client) =>
        client.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
            where datname = $1 and application_name = 'pixpress' and query like '%pg_try_advisory_lock%'`,
          [databaseName],
        ),
      );
      expect(terminated.rowCount).toBe(1);
      await sleep(100);
      // The lock went with the session: another instance may run the work now.
      expect(await second.records.exclusively('sweep', async () => 'second ran')).toBe('second ran');
      release();
      expect(await running).toBe('first ran');
      // The dead connection was not given back to the pool: the first instance still answers.
      expect((await first.records.health()).ok).toBe(true);
    });
  });

  describe('at start', () => {
    it('migrates once when three instances start at once', async () => {
      const database = await createTestDatabase();
      try {
        const stores = await Promise.all([
          openPostgresStore(database.url),
          openPostgresStore(database.url),
          openPostgresStore(database.url),
        ]);
        const rows = await runSql<{ name: string }>(database.url, 'select name from kysely_migration order by name');
        expect(rows.map((row) => row.name)).toEqual(Object.keys(MIGRATIONS));
        const user = newUser();
        expect(await stores[0]!.records.insertUser(user)).toBe(true);
        expect(await stores[2]!.records.getUser(user.id)).toEqual(user);
        for (const store of stores) await store.records.close();
        // And again, with nothing left to do.
        const reopened = await openPostgresStore(database.url);
        expect(await reopened.records.getUser(user.id)).toEqual(user);
        await reopened.records.close();
      } finally {
        await database.drop();
      }
    });

    it('lower-cases tags stored before tags ignored case (0005), merging duplicates in place', async () => {
      const database = await createTestDatabase();
      try {
        const store = await openPostgresStore(database.url);
        const user = newUser();
        await store.records.insertUser(user);
        const images = [imageOf(user), imageOf(user)];
        for (const image of images) {
          const reservation = await store.records.reserveImage(user.id, LIMITS);
          if (isRefusal(reservation)) throw new Error('expected a slot');
          await reservation.commit(image);
        }
        await store.records.close();
        // Tags as they were stored before the migration, then the migration itself.
        await runSql(database.url, `update images set tags = $1 where id = $2`, [['Wood', 'oak', 'WOOD', 'wood'], images[0]!.id]);
        await runSql(database.url, `update images set tags = $1 where id = $2`, [['beach'], images[1]!.id]);
        const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }) });
        await MIGRATIONS['0005_lower_case_tags']!.up(db);
        await db.destroy();
        const reopened = await openPostgresStore(database.url);
        expect((await reopened.records.getImage(user.id, images[0]!.id))?.tags).toEqual(['wood', 'oak']);
        expect((await reopened.records.getImage(user.id, images[1]!.id))?.tags).toEqual(['beach']);
        await reopened.records.close();
      } finally {
        await database.drop();
      }
    });

    it('fails fast, naming DATABASE_URL and the cause, when the server cannot be reached', async () => {
      const started = Date.now();
      const error = await openPostgresStore('postgres://pixpress:hunter2@127.0.0.1:1/pixpress').catch((caught: unknown) => caught);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toMatch(/DATABASE_URL/);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
      expect((error as Error).message).not.toMatch(/hunter2/);
    });

    it('fails naming the missing database or role', async () => {
      const missing = new URL(adminUrl!);
      missing.pathname = `/pixpress_missing_${randomBytes(4).toString('hex')}`;
      const noDatabase = await openPostgresStore(missing.toString()).catch((caught: unknown) => caught);
      expect((noDatabase as Error).message).toMatch(/DATABASE_URL.*database "pixpress_missing_\w+" does not exist/);
      const stranger = new URL(adminUrl!);
      stranger.username = 'nobody_here';
      const noRole = await openPostgresStore(stranger.toString()).catch((caught: unknown) => caught);
      expect((noRole as Error).message).toMatch(/DATABASE_URL.*role "nobody_here" does not exist/);
    });

    it('cancels a statement that runs past statementTimeoutMs with StorageUnavailableError, and keeps serving', async () => {
      const database = await createTestDatabase();
      const store = await openPostgresStore(database.url, { statementTimeoutMs: 1000, poolSize: 3 });
      // An operator's session holds the user's row, so the store's update waits for the lock.
      const holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      let released: NodeJS.Timeout | undefined;
      try {
        const user = newUser();
        expect(await store.records.insertUser(user)).toBe(true);
        await holder.query('begin');
        await holder.query('select 1 from users where id = $1 for update', [user.id]);
        // Let go in the end all the same, so that a store without the timeout gets its answer.
        released = setTimeout(() => void holder.query('rollback').catch(() => {}), 10_000);
        const error = await store.records.changePassword(user.id, 'new-hash').catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(StorageUnavailableError);
        expect(((error as Error).cause as { code?: string }).code).toBe('57014');
        clearTimeout(released);
        await holder.query('rollback');
        expect(await store.records.changePassword(user.id, 'new-hash')).toMatchObject({ passwordHash: 'new-hash', tokenVersion: 1 });
      } finally {
        clearTimeout(released);
        await holder.end().catch(() => {});
        await store.records.close();
        await database.drop();
      }
    });

    it('survives the network cutting a connection while a call waits on it: that call fails as unavailable, the next is served', async () => {
      const database = await createTestDatabase();
      // The store reaches Postgres through a relay that can cut its connections as a network would
      // (a reset, with no goodbye from the server): node-postgres then emits 'error' on the
      // connection at once, which ends the process when nothing listens, as on a connection
      // checked out of the pool (the pool only listens on idle ones).
      const target = new URL(database.url);
      const relayed = new Set<Socket>();
      const relay = createNetServer((incoming) => {
        const outgoing = connect(Number(target.port), target.hostname);
        relayed.add(incoming).add(outgoing);
        incoming.pipe(outgoing).pipe(incoming);
        for (const socket of [incoming, outgoing]) socket.on('error', () => {});
      });
      relay.listen(0, '127.0.0.1');
      await once(relay, 'listening');
      const relayUrl = new URL(database.url);
      relayUrl.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
      const logged: Array<{ msg: string; err?: { message: string } }> = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
      const store = await openPostgresStore(relayUrl.href, { poolSize: 2, logger });
      const holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      try {
        const user = newUser();
        expect(await store.records.insertUser(user)).toBe(true);
        // An operator's session holds the user's row, so the store's call waits for the lock.
        await holder.query('begin');
        await holder.query('select 1 from users where id = $1 for update', [user.id]);
        const waiting = store.records.changePassword(user.id, 'new-hash').catch((caught: unknown) => caught);
        // Cut only once the call is on its connection, waiting for the lock.
        for (let tries = 0; tries < 100; tries++) {
          const [row] = await runSql<{ count: number }>(
            database.url,
            `select count(*)::int as count from pg_stat_activity
              where datname = current_database() and application_name = 'pixpress' and wait_event_type = 'Lock'`,
          );
          if (row!.count === 1) break;
          await sleep(50);
        }
        for (const socket of relayed) socket.resetAndDestroy();
        relayed.clear();
        expect(await waiting).toBeInstanceOf(StorageUnavailableError);
        await holder.query('rollback');
        expect(logged.map((line) => line.msg)).toContain('a Postgres connection failed; the pool drops it');
        expect(logged.find((line) => line.err)?.err?.message).toMatch(/ECONNRESET|terminated/);
        // The dead connections were not given back: the store answers on new ones. (The cut call's
        // update may still have been applied: its backend went on once the lock was free. A call
        // cut by the network is unknown, not undone, which is why it reports unavailable.)
        expect(await store.records.changePassword(user.id, 'newer-hash')).toMatchObject({ passwordHash: 'newer-hash' });
        expect((await store.records.health()).ok).toBe(true);
      } finally {
        await holder.end().catch(() => {});
        await store.records.close();
        relay.close();
        for (const socket of relayed) socket.destroy();
        await database.drop();
      }
    });

    it('reports a database that went away as unavailable, to calls and to health()', async () => {
      const database = await createTestDatabase();
      const store = await openPostgresStore(database.url);
      try {
        expect(await store.records.health()).toMatchObject({ ok: true, status: 'ok', detail: { backend: 'postgres' } });
        await database.drop();
        await expect(store.records.getUser(randomUUID())).rejects.toBeInstanceOf(StorageUnavailableError);
        await expect(store.rateCounters.add('gone', 1000)).rejects.toBeInstanceOf(StorageUnavailableError);
        expect(await store.records.health()).toMatchObject({ ok: false, status: 'unreachable' });
      } finally {
        await store.records.close();
        await database.drop();
      }
    });
  });
});
