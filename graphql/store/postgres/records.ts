// The RecordStore on Postgres. Every write of a user's records runs in one transaction that first
// locks the user's row and keeps the user's counters (images, files, bytes) in step with the rows,
// so usage, quotas and /metrics read a row instead of counting.
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { holdSession } from './session.ts';
import type { ImagePage, ImageQuery } from '../image-query.ts';
import type {
  CompressionReservation,
  CompressionSetReservation,
  InsertRefusal,
  HealthCheck,
  ImageReservation,
  QuotaLimits,
  QuotaRefusal,
  RecordStore,
  StoreCounts,
  StoredFiles,
  TagChange,
  Usage,
} from '../ports.ts';
import {
  imageFilesOf,
  type CompressionRecord,
  type ImageRecord,
  type PresetRecord,
  type SharedFile,
  type ShareLinkRecord,
  type UserRecord,
} from '../records.ts';
import { applyTagChange } from '../image-fields.ts';
import { guarded } from './errors.ts';
import { queryImagesIn } from './image-listing.ts';
import type { ReservationBook } from './reservations.ts';
import {
  compressionFromRow,
  imageFromRow,
  isUuid,
  lockUser,
  newestFirst,
  presetFromRow,
  shareLinkFromRow,
  shareLinkRow,
  sortableText,
  userFromRow,
} from './rows.ts';
import type { Database } from './schema.ts';

/** Images per page of storedFiles(), each with its compressions. */
const STORED_FILES_PAGE = 500;

/** A row given back by to_jsonb: timestamps arrive as strings, and the row mappers want Dates. */
function fromJsonRow(json: Record<string, unknown>): Record<string, unknown> {
  const row = { ...json };
  for (const column of ['created_at', 'updated_at', 'expires_at']) {
    if (typeof row[column] === 'string') row[column] = new Date(row[column] as string);
  }
  return row;
}
const HEALTH_TIMEOUT_MS = 2_000;

export class PostgresRecordStore implements RecordStore {
  readonly backend = 'postgres';
  private readonly db: Kysely<Database>;
  private readonly pool: pg.Pool;
  private readonly reservations: ReservationBook;
  private closed: Promise<void> | null = null;

  constructor(db: Kysely<Database>, pool: pg.Pool, reservations: ReservationBook) {
    this.db = db;
    this.pool = pool;
    this.reservations = reservations;
  }

  // Users

  findUserByUsername(username: string): Promise<UserRecord | undefined> {
    // Postgres text cannot hold U+0000, so no stored name has one (a login may still send it).
    if (username.includes('\0')) return Promise.resolve(undefined);
    return guarded(async () => {
      const row = await this.db.selectFrom('users').selectAll().where('username_key', '=', username.toLowerCase()).executeTakeFirst();
      return row && userFromRow(row);
    });
  }

  getUser(id: string): Promise<UserRecord | undefined> {
    if (!isUuid(id)) return Promise.resolve(undefined);
    return guarded(async () => {
      const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && userFromRow(row);
    });
  }

  insertUser(user: UserRecord): Promise<boolean> {
    return guarded(async () => {
      const inserted = await this.db
        .insertInto('users')
        .values({
          id: user.id,
          username: user.username,
          username_key: user.usernameKey,
          password_hash: user.passwordHash,
          created_at: user.createdAt,
          token_version: user.tokenVersion,
        })
        .onConflict((conflict) => conflict.column('username_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    });
  }

  changePassword(userId: string, passwordHash: string): Promise<UserRecord | undefined> {
    if (!isUuid(userId)) return Promise.resolve(undefined);
    return guarded(async () => {
      const row = await this.db
        .updateTable('users')
        .set((eb) => ({ password_hash: passwordHash, token_version: eb('token_version', '+', 1) }))
        .where('id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      return row && userFromRow(row);
    });
  }

  deleteUser(userId: string): Promise<{ files: string[] } | undefined> {
    if (!isUuid(userId)) return Promise.resolve(undefined);
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        if (!(await lockUser(trx, userId))) return undefined;
        // The files are listed in the transaction that deletes their records (the cascade removes
        // images, compressions and slots), so nothing added meanwhile is missed.
        const images = await trx
          .selectFrom('images')
          .select(['file', 'thumbnail_file', 'display_file'])
          .where('user_id', '=', userId)
          .execute();
        const compressions = await trx.selectFrom('compressions').select('file').where('user_id', '=', userId).execute();
        await trx.deleteFrom('users').where('id', '=', userId).execute();
        return {
          files: [
            ...images.flatMap((image) =>
              imageFilesOf({ file: image.file, thumbnailFile: image.thumbnail_file, displayFile: image.display_file }),
            ),
            ...compressions.map((compression) => compression.file),
          ],
        };
      }),
    );
  }

  revokeToken(tokenId: string, expiresAt: Date): Promise<void> {
    return guarded(async () => {
      await this.db
        .insertInto('revoked_tokens')
        .values({ token_id: tokenId, expires_at: expiresAt })
        .onConflict((conflict) => conflict.column('token_id').doNothing())
        .execute();
      // Entries of tokens that have expired anyway go as new ones come.
      await this.db.deleteFrom('revoked_tokens').where('expires_at', '<', sql<Date>`now()`).execute();
    });
  }

  isTokenRevoked(tokenId: string): Promise<boolean> {
    if (tokenId.includes('\0')) return Promise.resolve(true);
    return guarded(
      async () =>
        (await this.db.selectFrom('revoked_tokens').select('token_id').where('token_id', '=', tokenId).executeTakeFirst()) !== undefined,
    );
  }

  // Images

  async getImage(userId: string, imageId: string): Promise<ImageRecord | undefined> {
    return (await this.getImages(userId, [imageId])).get(imageId);
  }

  getImages(userId: string, imageIds: readonly string[]): Promise<Map<string, ImageRecord>> {
    const ids = [...new Set(imageIds.filter(isUuid))];
    if (!isUuid(userId) || ids.length === 0) return Promise.resolve(new Map());
    return guarded(async () => {
      const rows = await this.db.selectFrom('images').selectAll().where('user_id', '=', userId).where('id', 'in', ids).execute();
      return new Map(rows.map((row) => [row.id, imageFromRow(row)]));
    });
  }

  queryImages(userId: string, query: ImageQuery): Promise<ImagePage> {
    return guarded(() => queryImagesIn(this.db, userId, query));
  }

  tagCounts(userId: string): Promise<Array<{ name: string; count: number }>> {
    if (!isUuid(userId)) return Promise.resolve([]);
    return guarded(async () => {
      const { rows } = await sql<{ name: string; count: number }>`
        select tag as name, count(*)::int as count
        from images cross join lateral unnest(tags) as tag
        where user_id = ${userId}
        group by tag`.execute(this.db);
      // Sorted here, as the embedded store sorts: by count, then by code unit (not a collation).
      return rows.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  updateImage(userId: string, imageId: string, changes: Partial<Pick<ImageRecord, 'name' | 'tags'>>): Promise<ImageRecord | undefined> {
    if (!isUuid(userId) || !isUuid(imageId)) return Promise.resolve(undefined);
    return guarded(async () => {
      const row = await this.db
        .updateTable('images')
        .set({
          ...(changes.name === undefined ? {} : { name: changes.name, name_key: sortableText(changes.name.toLowerCase()) }),
          ...(changes.tags === undefined ? {} : { tags: changes.tags }),
          updated_at: new Date().toISOString(),
        })
        .where('user_id', '=', userId)
        .where('id', '=', imageId)
        .returningAll()
        .executeTakeFirst();
      return row && imageFromRow(row);
    });
  }

  changeTags(userId: string, imageId: string, change: TagChange, limit: number): Promise<ImageRecord | 'limit' | undefined> {
    if (!isUuid(userId) || !isUuid(imageId)) return Promise.resolve(undefined);
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        // The row lock holds off other writers of this image until the new tags are committed.
        const current = await trx
          .selectFrom('images')
          .select('tags')
          .where('user_id', '=', userId)
          .where('id', '=', imageId)
          .forUpdate()
          .executeTakeFirst();
        if (!current) return undefined;
        const tags = applyTagChange(current.tags, change);
        if (tags.length > limit) return 'limit' as const;
        const row = await trx
          .updateTable('images')
          .set({ tags, updated_at: new Date().toISOString() })
          .where('user_id', '=', userId)
          .where('id', '=', imageId)
          .returningAll()
          .executeTakeFirstOrThrow();
        return imageFromRow(row);
      }),
    );
  }

  removeImage(userId: string, imageId: string): Promise<{ image: ImageRecord; compressions: CompressionRecord[] } | undefined> {
    if (!isUuid(userId) || !isUuid(imageId)) return Promise.resolve(undefined);
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        await lockUser(trx, userId);
        // The compressions first, so that they can be returned (the cascade would not say).
        const compressionRows = await trx
          .deleteFrom('compressions')
          .where('image_id', '=', imageId)
          .where('user_id', '=', userId)
          .returningAll()
          .execute();
        const imageRow = await trx
          .deleteFrom('images')
          .where('id', '=', imageId)
          .where('user_id', '=', userId)
          .returningAll()
          .executeTakeFirst();
        if (!imageRow) return undefined;
        const compressionBytes = compressionRows.reduce((sum, row) => sum + row.bytes, 0);
        await trx
          .updateTable('users')
          .set((eb) => ({
            image_count: eb('image_count', '-', 1),
            file_count: eb('file_count', '-', 1 + compressionRows.length),
            byte_count: eb('byte_count', '-', imageRow.bytes + compressionBytes),
            original_byte_count: eb('original_byte_count', '-', imageRow.bytes),
            thumbnail_byte_count: eb('thumbnail_byte_count', '-', imageRow.thumbnail_bytes),
          }))
          .where('id', '=', userId)
          .execute();
        return { image: imageFromRow(imageRow), compressions: compressionRows.map(compressionFromRow).sort(newestFirst) };
      }),
    );
  }

  // Compressions

  listCompressions(imageIds: readonly string[]): Promise<Map<string, CompressionRecord[]>> {
    const byImage = new Map<string, CompressionRecord[]>(imageIds.map((id) => [id, []]));
    const ids = [...new Set(imageIds.filter(isUuid))];
    if (ids.length === 0) return Promise.resolve(byImage);
    return guarded(async () => {
      const rows = await this.db
        .selectFrom('compressions')
        .selectAll()
        .where('image_id', 'in', ids)
        .orderBy('image_id')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      for (const row of rows) byImage.get(row.image_id)?.push(compressionFromRow(row));
      return byImage;
    });
  }

  getCompression(userId: string, compressionId: string): Promise<CompressionRecord | undefined> {
    if (!isUuid(userId) || !isUuid(compressionId)) return Promise.resolve(undefined);
    return guarded(async () => {
      const row = await this.db
        .selectFrom('compressions')
        .selectAll()
        .where('id', '=', compressionId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && compressionFromRow(row);
    });
  }

  removeCompression(userId: string, compressionId: string): Promise<CompressionRecord | undefined> {
    if (!isUuid(userId) || !isUuid(compressionId)) return Promise.resolve(undefined);
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        await lockUser(trx, userId);
        const row = await trx
          .deleteFrom('compressions')
          .where('id', '=', compressionId)
          .where('user_id', '=', userId)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        await trx
          .updateTable('users')
          .set((eb) => ({ file_count: eb('file_count', '-', 1), byte_count: eb('byte_count', '-', row.bytes) }))
          .where('id', '=', userId)
          .execute();
        return compressionFromRow(row);
      }),
    );
  }

  // Quotas

  usage(userIds: readonly string[]): Promise<Map<string, Usage>> {
    const byUser = new Map<string, Usage>(userIds.map((id) => [id, { images: 0, files: 0, bytes: 0 }]));
    const ids = [...new Set(userIds.filter(isUuid))];
    if (ids.length === 0) return Promise.resolve(byUser);
    return guarded(async () => {
      const rows = await this.db
        .selectFrom('users')
        .select(['id', 'image_count', 'file_count', 'byte_count'])
        .where('id', 'in', ids)
        .execute();
      for (const row of rows) byUser.set(row.id, { images: row.image_count, files: row.file_count, bytes: row.byte_count });
      return byUser;
    });
  }

  reserveImage(userId: string, limits: QuotaLimits): Promise<ImageReservation | QuotaRefusal> {
    return this.reservations.reserveImage(userId, limits);
  }

  reserveCompression(userId: string, imageId: string, limits: QuotaLimits): Promise<CompressionReservation | QuotaRefusal> {
    return this.reservations.reserveCompression(userId, imageId, limits);
  }

  reserveCompressions(
    userId: string,
    imageId: string,
    count: number,
    limits: QuotaLimits,
  ): Promise<CompressionSetReservation | QuotaRefusal> {
    return this.reservations.reserveCompressions(userId, imageId, count, limits);
  }

  // Share links

  insertShareLinks(userId: string, links: ShareLinkRecord[], limit: number): Promise<true | InsertRefusal> {
    if (!isUuid(userId)) return Promise.resolve('missing');
    for (const link of links) {
      if (link.userId !== userId) throw new Error('A share link was inserted for another user.');
      if (!isUuid(link.imageId) || (link.compressionId !== null && !isUuid(link.compressionId))) return Promise.resolve('missing');
    }
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        // The user's row lock makes concurrent inserts count one after another.
        if (!(await lockUser(trx, userId))) return 'missing' as const;
        for (const link of links) {
          // forShare: a delete of the file waits for this transaction, or this one finds it gone.
          const image = await trx
            .selectFrom('images')
            .select('id')
            .where('id', '=', link.imageId)
            .where('user_id', '=', userId)
            .forShare()
            .executeTakeFirst();
          if (!image) return 'missing' as const;
          if (link.compressionId !== null) {
            const compression = await trx
              .selectFrom('compressions')
              .select('id')
              .where('id', '=', link.compressionId)
              .where('image_id', '=', link.imageId)
              .where('user_id', '=', userId)
              .forShare()
              .executeTakeFirst();
            if (!compression) return 'missing' as const;
          }
        }
        await trx.deleteFrom('share_links').where('user_id', '=', userId).where('expires_at', '<=', sql<Date>`now()`).execute();
        const { held } = await trx
          .selectFrom('share_links')
          .select(sql<number>`count(*)::int`.as('held'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow();
        if (held + links.length > limit) return 'limit' as const;
        if (links.length > 0) await trx.insertInto('share_links').values(links.map(shareLinkRow)).execute();
        return true as const;
      }),
    );
  }

  listShareLinks(userId: string): Promise<ShareLinkRecord[]> {
    if (!isUuid(userId)) return Promise.resolve([]);
    return guarded(async () => {
      const rows = await this.db
        .selectFrom('share_links')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(shareLinkFromRow);
    });
  }

  removeShareLink(userId: string, linkId: string): Promise<ShareLinkRecord | undefined> {
    if (!isUuid(userId) || !isUuid(linkId)) return Promise.resolve(undefined);
    return guarded(async () => {
      const row = await this.db
        .deleteFrom('share_links')
        .where('id', '=', linkId)
        .where('user_id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      return row && shareLinkFromRow(row);
    });
  }

  findSharedFile(tokenHash: string): Promise<SharedFile | undefined> {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) return Promise.resolve(undefined);
    return guarded(async () => {
      // One query: the link, its image and (for a compression link) the compression.
      const row = await this.db
        .selectFrom('share_links as l')
        .innerJoin('images as i', (join) => join.onRef('i.id', '=', 'l.image_id').onRef('i.user_id', '=', 'l.user_id'))
        .leftJoin('compressions as c', (join) => join.onRef('c.id', '=', 'l.compression_id').onRef('c.user_id', '=', 'l.user_id'))
        .select((eb) => [
          sql<Record<string, unknown>>`to_jsonb(l.*)`.as('link'),
          sql<Record<string, unknown>>`to_jsonb(i.*)`.as('image'),
          sql<Record<string, unknown> | null>`case when c.id is null then null else to_jsonb(c.*) end`.as('compression'),
          eb.ref('l.compression_id').as('compression_id'),
        ])
        .where('l.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.compression_id !== null && row.compression === null) return undefined;
      return {
        link: shareLinkFromRow(fromJsonRow(row.link) as never),
        image: imageFromRow(fromJsonRow(row.image) as never),
        compression: row.compression ? compressionFromRow(fromJsonRow(row.compression) as never) : null,
      };
    });
  }

  // Presets

  savePreset(preset: PresetRecord, limit: number): Promise<PresetRecord | 'limit'> {
    if (!isUuid(preset.userId)) throw new Error('A preset was saved for no user.');
    return guarded(() =>
      this.db.transaction().execute(async (trx) => {
        await lockUser(trx, preset.userId);
        const existing = await trx
          .updateTable('presets')
          .set({ name: preset.name, options: JSON.stringify(preset.options), updated_at: preset.updatedAt })
          .where('user_id', '=', preset.userId)
          .where('name_key', '=', preset.nameKey)
          .returningAll()
          .executeTakeFirst();
        if (existing) return presetFromRow(existing);
        const { held } = await trx
          .selectFrom('presets')
          .select(sql<number>`count(*)::int`.as('held'))
          .where('user_id', '=', preset.userId)
          .executeTakeFirstOrThrow();
        if (held >= limit) return 'limit' as const;
        const row = await trx
          .insertInto('presets')
          .values({
            id: preset.id,
            user_id: preset.userId,
            name: preset.name,
            name_key: preset.nameKey,
            options: JSON.stringify(preset.options),
            created_at: preset.createdAt,
            updated_at: preset.updatedAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return presetFromRow(row);
      }),
    );
  }

  listPresets(userId: string): Promise<PresetRecord[]> {
    if (!isUuid(userId)) return Promise.resolve([]);
    return guarded(async () => {
      const rows = await this.db.selectFrom('presets').selectAll().where('user_id', '=', userId).execute();
      // Sorted here by code unit, as the embedded store sorts (not by a collation).
      return rows.map(presetFromRow).sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0));
    });
  }

  removePreset(userId: string, presetId: string): Promise<PresetRecord | undefined> {
    if (!isUuid(userId) || !isUuid(presetId)) return Promise.resolve(undefined);
    return guarded(async () => {
      const row = await this.db
        .deleteFrom('presets')
        .where('id', '=', presetId)
        .where('user_id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      return row && presetFromRow(row);
    });
  }

  // The sweep and /metrics

  counts(): Promise<StoreCounts> {
    return guarded(async () => {
      const row = await this.db
        .selectFrom('users')
        .select([
          sql<number>`count(*)::int`.as('users'),
          sql<string>`coalesce(sum(image_count), 0)`.as('images'),
          sql<string>`coalesce(sum(file_count), 0)`.as('files'),
          sql<string>`coalesce(sum(byte_count), 0)`.as('bytes'),
          sql<string>`coalesce(sum(original_byte_count), 0)`.as('originals'),
          sql<string>`coalesce(sum(thumbnail_byte_count), 0)`.as('thumbnails'),
        ])
        .executeTakeFirstOrThrow();
      // sum(bigint) is numeric, which the driver hands over as a string.
      const images = Number(row.images);
      const originals = Number(row.originals);
      return {
        users: row.users,
        images,
        compressions: Number(row.files) - images,
        bytes: { originals, thumbnails: Number(row.thumbnails), compressions: Number(row.bytes) - originals },
      };
    });
  }

  async *storedFiles(): AsyncIterable<StoredFiles[]> {
    let lastId: string | null = null;
    for (;;) {
      const afterId = lastId;
      const page: StoredFiles[] = await guarded(async () => {
        let query = this.db
          .selectFrom('images')
          .select(['id', 'user_id', 'file', 'thumbnail_file', 'display_file', 'created_at'])
          .orderBy('id')
          .limit(STORED_FILES_PAGE);
        if (afterId !== null) query = query.where('id', '>', afterId);
        const images = await query.execute();
        if (images.length === 0) return [];
        const compressions = await this.db
          .selectFrom('compressions')
          .select(['id', 'image_id', 'file', 'created_at'])
          .where(
            'image_id',
            'in',
            images.map((image) => image.id),
          )
          .execute();
        const byImage = new Map<string, Array<{ id: string; file: string; createdAt: string }>>(images.map((image) => [image.id, []]));
        for (const row of compressions)
          byImage.get(row.image_id)?.push({ id: row.id, file: row.file, createdAt: row.created_at.toISOString() });
        return images.map((image) => ({
          userId: image.user_id,
          imageId: image.id,
          imageFiles: imageFilesOf({ file: image.file, thumbnailFile: image.thumbnail_file, displayFile: image.display_file }),
          createdAt: image.created_at.toISOString(),
          compressions: byImage.get(image.id) ?? [],
        }));
      });
      if (page.length === 0) return;
      yield page;
      if (page.length < STORED_FILES_PAGE) return;
      lastId = page.at(-1)!.imageId;
    }
  }

  async removeRecordsWithoutFiles(
    images: Array<{ userId: string; imageId: string }>,
    compressions: Array<{ userId: string; compressionId: string }>,
  ): Promise<void> {
    for (const { userId, compressionId } of compressions) await this.removeCompression(userId, compressionId);
    for (const { userId, imageId } of images) await this.removeImage(userId, imageId);
  }

  /**
   * Runs `work` unless another instance runs work of that name: a session advisory lock, held on a
   * connection of its own for as long as the work runs (and let go if this instance dies).
   */
  async exclusively<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
    const session = await guarded(() => holdSession(this.pool));
    let locked = false;
    try {
      const { rows } = await guarded(() =>
        session.client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as locked', [`pixpress:${name}`]),
      );
      locked = rows[0]?.locked === true;
      return locked ? await work() : undefined;
    } finally {
      // A session that died took its lock with it.
      if (locked && !session.lost) {
        await session.client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [`pixpress:${name}`]).catch(() => undefined);
      }
      session.release();
    }
  }

  async health(): Promise<HealthCheck> {
    const started = performance.now();
    const pool = { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`select 1`.execute(this.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
        }),
      ]);
      return { ok: true, status: 'ok', detail: { backend: 'postgres', latencyMs: Math.round(performance.now() - started), pool } };
    } catch (error) {
      return { ok: false, status: 'unreachable', detail: { backend: 'postgres', error: (error as Error).message, pool } };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the heartbeat, gives back the slots this instance holds, and ends the pool. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      try {
        await this.reservations.releaseAll();
      } finally {
        await this.db.destroy();
      }
    })();
    return this.closed;
  }
}
