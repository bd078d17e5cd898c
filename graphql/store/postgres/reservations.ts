// Quota slots as rows, so every instance counts the same slots. A reservation locks its user's row
// (every write of that user's records does, first), counts stored records from the user's counters
// plus the unexpired reservations, and inserts its own row with an expiry. This process extends the
// expiry of the rows it holds on a heartbeat, so a long job keeps its slot; when an instance dies its
// rows stop being extended and no longer count after the TTL (they are deleted lazily).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import {
  QuotaRefusedError,
  type CompressionReservation,
  type CompressionSetReservation,
  type ImageReservation,
  type QuotaLimits,
  type QuotaRefusal,
} from '../ports.ts';
import { guarded, isForeignKeyViolation } from './errors.ts';
import { compressionRow, imageRow, isUuid, lockUser, type UserCounters } from './rows.ts';
import type { Database } from './schema.ts';

export const DEFAULT_RESERVATION_TTL_MS = 60_000;

type Tx = Transaction<Database>;

function later(ms: number) {
  return sql<Date>`now() + ${ms}::double precision * interval '1 millisecond'`;
}

/** A slot for an image that cannot exist (not an id we issue): its commit writes nothing. */
const SLOT_FOR_NO_IMAGE: CompressionReservation & CompressionSetReservation = { commit: async () => false, release: async () => {} };

export class ReservationBook {
  private readonly db: Kysely<Database>;
  private readonly ttlMs: number;
  private readonly logger: Logger | undefined;
  /** Ids of the rows this process holds: only these are extended by the heartbeat. */
  private readonly held = new Set<string>();
  private readonly heartbeat: NodeJS.Timeout;
  private extending = false;

  constructor(db: Kysely<Database>, ttlMs: number, logger: Logger | undefined) {
    this.db = db;
    this.ttlMs = ttlMs;
    this.logger = logger;
    this.heartbeat = setInterval(() => void this.extendHeld(), Math.max(50, Math.floor(ttlMs / 3)));
    this.heartbeat.unref();
  }

  async reserveImage(userId: string, limits: QuotaLimits): Promise<ImageReservation | QuotaRefusal> {
    const id = randomUUID();
    const refusal = await this.reserve(userId, async (trx, user) => {
      const refusal = await imageRefusal(trx, userId, user, limits);
      if (!refusal)
        await trx
          .insertInto('reservations')
          .values({ id, user_id: userId, image_id: null, kind: 'image', expires_at: later(this.ttlMs) })
          .execute();
      return refusal;
    });
    if (refusal) return refusal;
    this.held.add(id);
    const once = this.once(id);
    return {
      commit: async (image) => {
        await once(() =>
          this.settle(id, async (trx) => {
            if (image.userId !== userId) throw new Error('An image reservation was committed with another user’s image.');
            const user = await lockUser(trx, userId);
            if (!(await takeReservation(trx, id))) {
              // Held past its expiry (this process stalled): the slot may have gone to someone else.
              const refusal = user ? await imageRefusal(trx, userId, user, limits) : null;
              if (refusal) throw new QuotaRefusedError(refusal);
            }
            if (user) refuseOverBytes(user, image.bytes, limits);
            await trx.insertInto('images').values(imageRow(image)).execute();
            await trx
              .updateTable('users')
              .set((eb) => ({
                image_count: eb('image_count', '+', 1),
                file_count: eb('file_count', '+', 1),
                byte_count: eb('byte_count', '+', image.bytes),
                original_byte_count: eb('original_byte_count', '+', image.bytes),
                thumbnail_byte_count: eb('thumbnail_byte_count', '+', image.thumbnailBytes),
              }))
              .where('id', '=', userId)
              .execute();
          }),
        );
      },
      release: () => once(() => this.release(id)),
    };
  }

  async reserveCompression(userId: string, imageId: string, limits: QuotaLimits): Promise<CompressionReservation | QuotaRefusal> {
    if (!isUuid(imageId)) return SLOT_FOR_NO_IMAGE;
    const id = randomUUID();
    const refusal = await this.reserve(userId, async (trx, user) => {
      const refusal = await compressionRefusal(trx, userId, imageId, user, limits);
      if (!refusal) {
        await trx
          .insertInto('reservations')
          .values({ id, user_id: userId, image_id: imageId, kind: 'compression', expires_at: later(this.ttlMs) })
          .execute();
      }
      return refusal;
    });
    if (refusal) return refusal;
    this.held.add(id);
    const once = this.once(id);
    return {
      commit: async (compression) =>
        (await once(async () => {
          try {
            return await this.settle(id, async (trx) => {
              if (compression.userId !== userId || compression.imageId !== imageId) {
                throw new Error('A compression reservation was committed with another image’s compression.');
              }
              const user = await lockUser(trx, userId);
              const image = await trx
                .selectFrom('images')
                .select('id')
                .where('id', '=', imageId)
                .where('user_id', '=', userId)
                .forShare()
                .executeTakeFirst();
              const wasLive = await takeReservation(trx, id);
              // The image was deleted meanwhile: the slot is given back (its row is gone) and nothing is written.
              if (!image || !user) return false;
              if (!wasLive) {
                const refusal = await compressionRefusal(trx, userId, imageId, user, limits);
                if (refusal) throw new QuotaRefusedError(refusal);
              }
              refuseOverBytes(user, compression.bytes, limits);
              await trx.insertInto('compressions').values(compressionRow(compression)).execute();
              await trx
                .updateTable('users')
                .set((eb) => ({ file_count: eb('file_count', '+', 1), byte_count: eb('byte_count', '+', compression.bytes) }))
                .where('id', '=', userId)
                .execute();
              return true;
            });
          } catch (error) {
            if (isForeignKeyViolation(error)) return false;
            throw error;
          }
        })) ?? false,
      release: () => once(() => this.release(id)),
    };
  }

  /** `count` slots of one image as `count` rows inserted in one transaction, or none. */
  async reserveCompressions(
    userId: string,
    imageId: string,
    count: number,
    limits: QuotaLimits,
  ): Promise<CompressionSetReservation | QuotaRefusal> {
    if (!isUuid(imageId)) return SLOT_FOR_NO_IMAGE;
    const ids = Array.from({ length: count }, () => randomUUID());
    const refusal = await this.reserve(userId, async (trx, user) => {
      const refusal = await compressionRefusal(trx, userId, imageId, user, limits, count);
      if (!refusal && count > 0) {
        await trx
          .insertInto('reservations')
          .values(
            ids.map((id) => ({ id, user_id: userId, image_id: imageId, kind: 'compression' as const, expires_at: later(this.ttlMs) })),
          )
          .execute();
      }
      return refusal;
    });
    if (refusal) return refusal;
    for (const id of ids) this.held.add(id);
    let settled = false;
    const settleOnce = async <T>(act: () => Promise<T>): Promise<T | undefined> => {
      if (settled) return undefined;
      settled = true;
      for (const id of ids) this.held.delete(id);
      return act();
    };
    const releaseAllOf = async () => {
      for (const id of ids) await this.release(id);
    };
    return {
      commit: async (compressions) => {
        if (compressions.length > count)
          throw new Error(`A set of ${count} compression slots was committed with ${compressions.length} records.`);
        if (compressions.some((compression) => compression.userId !== userId || compression.imageId !== imageId)) {
          throw new Error('A compression set reservation was committed with another image’s compression.');
        }
        return (
          (await settleOnce(async () => {
            try {
              return await guarded(() =>
                this.db.transaction().execute(async (trx) => {
                  const user = await lockUser(trx, userId);
                  const image = await trx
                    .selectFrom('images')
                    .select('id')
                    .where('id', '=', imageId)
                    .where('user_id', '=', userId)
                    .forShare()
                    .executeTakeFirst();
                  const taken = await trx
                    .deleteFrom('reservations')
                    .where('id', 'in', ids)
                    .returning(sql<boolean>`expires_at > now()`.as('live'))
                    .execute();
                  if (!image || !user) return false;
                  const live = taken.filter((row) => row.live === true).length;
                  if (live < count) {
                    // Some slots were held past their expiry: the set needs that many again.
                    const refusal = await compressionRefusal(trx, userId, imageId, user, limits, count - live);
                    if (refusal) throw new QuotaRefusedError(refusal);
                  }
                  const bytes = compressions.reduce((sum, compression) => sum + compression.bytes, 0);
                  refuseOverBytes(user, bytes, limits);
                  if (compressions.length > 0) await trx.insertInto('compressions').values(compressions.map(compressionRow)).execute();
                  await trx
                    .updateTable('users')
                    .set((eb) => ({ file_count: eb('file_count', '+', compressions.length), byte_count: eb('byte_count', '+', bytes) }))
                    .where('id', '=', userId)
                    .execute();
                  return true;
                }),
              );
            } catch (error) {
              // The transaction rolled back, so the rows may still be there.
              await releaseAllOf();
              if (isForeignKeyViolation(error)) return false;
              throw error;
            }
          })) ?? false
        );
      },
      release: async () => {
        await settleOnce(releaseAllOf);
      },
    };
  }

  /** Gives back every slot this process holds (at close). */
  async releaseAll(): Promise<void> {
    clearInterval(this.heartbeat);
    const ids = [...this.held];
    this.held.clear();
    if (ids.length === 0) return;
    try {
      await this.db.deleteFrom('reservations').where('id', 'in', ids).execute();
    } catch (error) {
      this.logger?.warn({ err: error, count: ids.length }, 'could not release held quota slots at close; they expire on their own');
    }
  }

  private async reserve(
    userId: string,
    decide: (trx: Tx, user: UserCounters) => Promise<QuotaRefusal | null>,
  ): Promise<QuotaRefusal | null> {
    if (!isUuid(userId)) throw new Error(`Cannot reserve a quota slot for user ${JSON.stringify(userId)}: not a user id.`);
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        const user = await lockUser(trx, userId);
        if (!user) throw new Error(`Cannot reserve a quota slot for user ${userId}: there is no such user.`);
        // Expired slots of dead or stalled holders: they no longer count, and here they go.
        await trx.deleteFrom('reservations').where('user_id', '=', userId).where('expires_at', '<=', sql<Date>`now()`).execute();
        return decide(trx, user);
      }),
    );
  }

  /**
   * Commit and release act once between them. After a failed commit the transaction has rolled
   * back, so the row may still be there: it is released (or, with the database gone, left to
   * expire: it is no longer extended).
   */
  private once(id: string) {
    let settled = false;
    return async <T>(act: () => Promise<T>): Promise<T | undefined> => {
      if (settled) return undefined;
      settled = true;
      this.held.delete(id);
      return act();
    };
  }

  private async settle<T>(id: string, work: (trx: Tx) => Promise<T>): Promise<T> {
    try {
      return await guarded(() => this.db.transaction().execute(work));
    } catch (error) {
      await this.release(id);
      throw error;
    }
  }

  private async release(id: string): Promise<void> {
    try {
      await this.db.deleteFrom('reservations').where('id', '=', id).execute();
    } catch (error) {
      // Called from finally blocks, where throwing would hide the request's own error. The row is
      // no longer extended, so it stops counting within the TTL.
      this.logger?.warn({ err: error, reservation: id }, 'could not release a quota slot; it expires on its own');
    }
  }

  private async extendHeld(): Promise<void> {
    if (this.extending || this.held.size === 0) return;
    this.extending = true;
    try {
      await this.db
        .updateTable('reservations')
        .set({ expires_at: later(this.ttlMs) })
        .where('id', 'in', [...this.held])
        .execute();
    } catch (error) {
      this.logger?.warn({ err: error }, 'could not extend the expiry of held quota slots');
    } finally {
      this.extending = false;
    }
  }
}

/** Deletes the reservation; whether it was there and unexpired (so its slot was still ours). */
async function takeReservation(trx: Tx, id: string): Promise<boolean> {
  const row = await trx
    .deleteFrom('reservations')
    .where('id', '=', id)
    .returning(sql<boolean>`expires_at > now()`.as('live'))
    .executeTakeFirst();
  return row?.live === true;
}

async function pendingOf(trx: Tx, userId: string): Promise<{ images: number; files: number }> {
  const row = await trx
    .selectFrom('reservations')
    .select([sql<number>`count(*) filter (where kind = 'image')::int`.as('images'), sql<number>`count(*)::int`.as('files')])
    .where('user_id', '=', userId)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return row;
}

async function imageRefusal(trx: Tx, userId: string, user: UserCounters, limits: QuotaLimits): Promise<QuotaRefusal | null> {
  const pending = await pendingOf(trx, userId);
  if (user.image_count + pending.images >= limits.quotaImages) return { kind: 'images', limit: limits.quotaImages };
  if (user.file_count + pending.files >= limits.quotaFiles) return { kind: 'files', limit: limits.quotaFiles };
  if (Number(user.byte_count) >= limits.quotaBytes) return { kind: 'bytes', limit: limits.quotaBytes };
  return null;
}

/** Sizes are known only at commit; the user's row is locked, so parallel commits add up one by one. */
function refuseOverBytes(user: UserCounters, bytes: number, limits: QuotaLimits): void {
  if (Number(user.byte_count) + bytes > limits.quotaBytes) throw new QuotaRefusedError({ kind: 'bytes', limit: limits.quotaBytes });
}

async function compressionRefusal(
  trx: Tx,
  userId: string,
  imageId: string,
  user: UserCounters,
  limits: QuotaLimits,
  needed = 1,
): Promise<QuotaRefusal | null> {
  const { stored } = await trx
    .selectFrom('compressions')
    .select(sql<number>`count(*)::int`.as('stored'))
    .where('image_id', '=', imageId)
    .executeTakeFirstOrThrow();
  const { pending } = await trx
    .selectFrom('reservations')
    .select(sql<number>`count(*)::int`.as('pending'))
    .where('image_id', '=', imageId)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  if (stored + pending + needed > limits.quotaCompressionsPerImage)
    return { kind: 'compressionsPerImage', limit: limits.quotaCompressionsPerImage };
  const { files } = await pendingOf(trx, userId);
  if (user.file_count + files + needed > limits.quotaFiles) return { kind: 'files', limit: limits.quotaFiles };
  if (Number(user.byte_count) >= limits.quotaBytes) return { kind: 'bytes', limit: limits.quotaBytes };
  return null;
}
