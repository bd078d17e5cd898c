// The embedded records backend: one lowdb document in DATA_DIR/db.json, held in memory. Changes
// are made to the in-memory data synchronously (so a check and the change it guards cannot
// interleave with another request), then persisted; lowdb writes through a temp file and a
// rename, so db.json is always whole. A failed write is rolled back in memory, so nothing is
// acknowledged that a restart would not find.
//
// It is for one process on one machine: a lock on the folder refuses a second process (two lowdb
// instances on one file lose each other's writes), and the document's size is watched against
// the ceiling of a JSON string in V8, so that the owner is told to move up long before a write
// would fail and a start would be impossible.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import lockfile from 'proper-lockfile';
import { applyTagChange } from '../image-fields.ts';
import { queryImages, type ImageQuery, type ImagePage } from '../image-query.ts';
import {
  StorageFullError,
  type CompressionReservation,
  type CompressionSetReservation,
  type InsertRefusal,
  type HealthCheck,
  type ImageReservation,
  type QuotaLimits,
  type QuotaRefusal,
  type RecordStore,
  type StoreCounts,
  type StoredFiles,
  type TagChange,
  type Usage,
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
import { migrateDocument, SCHEMA_VERSION, type DatabaseShape } from './document.ts';
import { ReservationLedger } from './reservations.ts';

/**
 * V8 cannot make a string longer than 2^29 - 24 characters (~512 MiB), and lowdb reads and
 * writes the document as one string: past that a write fails and a start is impossible.
 */
const V8_MAX_STRING = 2 ** 29 - 24;

export interface EmbeddedCapacity {
  /** Above this size of db.json, /healthz, /metrics and the log say to move to Postgres. */
  warnBytes: number;
  /** Above this size, new users, images and compressions are refused (STORAGE_FULL). */
  refuseBytes: number;
}

export const DEFAULT_CAPACITY: EmbeddedCapacity = {
  // Every write rewrites the document, so a write costs more as it grows (bench/storage.ts finds
  // where one passes 100 ms; bench/RESULTS.md); by 64 MiB each takes seconds. Time to move to
  // Postgres.
  warnBytes: 64 * 1024 * 1024,
  refuseBytes: Math.floor(V8_MAX_STRING * 0.7),
};

export interface EmbeddedOpenOptions {
  capacity?: EmbeddedCapacity;
  /** How long to wait for a lock that another process may have left behind by dying. */
  lockWaitMs?: number;
  /** Told when the document crosses the warning size (once per crossing). */
  onNearCapacity?: (bytes: number, capacity: EmbeddedCapacity) => void;
}

/** proper-lockfile's lock is stale (its holder gone) when not refreshed for this long. */
const LOCK_STALE_MS = 5_000;

export class EmbeddedRecordStore implements RecordStore {
  readonly backend = 'embedded';
  /** True when db.json did not exist when this process opened it (it is written after seeding). */
  readonly isNew: boolean;
  readonly path: string;
  private readonly db: Low<DatabaseShape>;
  private readonly ledger: ReservationLedger;
  private readonly capacity: EmbeddedCapacity;
  private readonly onNearCapacity: EmbeddedOpenOptions['onNearCapacity'];
  private readonly unlock: () => Promise<void>;
  /** Size of db.json after the last write, and whether that write failed. */
  private documentBytes: number;
  private lastWriteError: Error | null = null;

  private constructor(
    db: Low<DatabaseShape>,
    path: string,
    isNew: boolean,
    documentBytes: number,
    unlock: () => Promise<void>,
    options: EmbeddedOpenOptions,
  ) {
    this.db = db;
    this.path = path;
    this.isNew = isNew;
    this.documentBytes = documentBytes;
    this.unlock = unlock;
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.onNearCapacity = options.onNearCapacity;
    this.ledger = new ReservationLedger(this);
  }

  static async open(dataDir: string, options: EmbeddedOpenOptions = {}): Promise<EmbeddedRecordStore> {
    await mkdir(dataDir, { recursive: true });
    const path = join(dataDir, 'db.json');
    const unlock = await lockDataDir(dataDir, path, options.lockWaitMs ?? LOCK_STALE_MS + 2_000);
    try {
      let text: string | null = null;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      let data: DatabaseShape;
      let migrated = false;
      if (text === null) {
        data = migrateDocument(null).data;
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (error) {
          throw new Error(`${path} is not a Pixpress database (${(error as Error).message}); refusing to overwrite it`);
        }
        ({ data, migrated } = migrateDocument(parsed, path));
      }
      // Compact JSON: lowdb's default indentation made the document a third larger, and its size
      // is what bounds this backend.
      const db = new Low<DatabaseShape>(new DataFile(path, { parse: JSON.parse, stringify: (value) => JSON.stringify(value) }), data);
      const store = new EmbeddedRecordStore(db, path, text === null, text?.length ?? 0, unlock, options);
      // A migrated document is written at once, so the next start reads the new shape. A new one
      // is written by the first persist (createApp's, after seeding): a crash before then leaves
      // no db.json, and the next start is still a first start.
      if (migrated) await store.persist();
      // Told at every start past the warning size too, not only when a write crosses it.
      if (store.documentBytes >= store.capacity.warnBytes) options.onNearCapacity?.(store.documentBytes, store.capacity);
      return store;
    } catch (error) {
      await unlock();
      throw error;
    }
  }

  /** Writes the document; createApp calls it once after seeding a new database. */
  async persist(): Promise<void> {
    try {
      await this.db.write();
      this.lastWriteError = null;
    } catch (error) {
      this.lastWriteError = error as Error;
      throw error;
    }
    const before = this.documentBytes;
    this.documentBytes = (await stat(this.path)).size;
    if (before < this.capacity.warnBytes && this.documentBytes >= this.capacity.warnBytes) {
      this.onNearCapacity?.(this.documentBytes, this.capacity);
    }
  }

  /** Makes a change in memory and persists it; undoes the change when the write fails. */
  private async change<T>(apply: () => { result: T; undo: () => void }): Promise<T> {
    const { result, undo } = apply();
    try {
      await this.persist();
    } catch (error) {
      undo();
      throw error;
    }
    return result;
  }

  private refuseWhenFull(): void {
    if (this.documentBytes >= this.capacity.refuseBytes) {
      throw new StorageFullError(
        `The embedded database is full (${formatMiB(this.documentBytes)} of at most ${formatMiB(this.capacity.refuseBytes)}): ` +
          'nothing new can be stored. The operator can move it to Postgres with `npm run migrate-store`.',
      );
    }
  }

  private get data(): DatabaseShape {
    return this.db.data;
  }

  // Users

  async findUserByUsername(username: string): Promise<UserRecord | undefined> {
    return this.userByName(username);
  }

  private userByName(username: string): UserRecord | undefined {
    const key = username.toLowerCase();
    return Object.values(this.data.users).find((user) => user.usernameKey === key);
  }

  /** Every user, oldest first: for migrate-store. */
  async allUsers(): Promise<UserRecord[]> {
    return Object.values(this.data.users).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    return Object.hasOwn(this.data.users, id) ? this.data.users[id] : undefined;
  }

  async insertUser(user: UserRecord): Promise<boolean> {
    this.refuseWhenFull();
    if (this.userByName(user.username)) return false;
    return this.change(() => {
      this.data.users[user.id] = user;
      this.data.images[user.id] ??= {};
      return {
        result: true,
        undo: () => {
          delete this.data.users[user.id];
          delete this.data.images[user.id];
        },
      };
    });
  }

  async changePassword(userId: string, passwordHash: string): Promise<UserRecord | undefined> {
    const user = this.data.users[userId];
    if (!user || !Object.hasOwn(this.data.users, userId)) return undefined;
    return this.change(() => {
      const before = { passwordHash: user.passwordHash, tokenVersion: user.tokenVersion };
      user.passwordHash = passwordHash;
      user.tokenVersion += 1;
      return { result: user, undo: () => Object.assign(user, before) };
    });
  }

  async deleteUser(userId: string): Promise<{ files: string[] } | undefined> {
    const user = Object.hasOwn(this.data.users, userId) ? this.data.users[userId] : undefined;
    if (!user) return undefined;
    const images = this.data.images[userId] ?? {};
    const compressions = Object.fromEntries(Object.keys(images).map((imageId) => [imageId, this.data.compressions[imageId] ?? {}]));
    const files = Object.values(images).flatMap((image) => [
      ...imageFilesOf(image),
      ...Object.values(compressions[image.id] ?? {}).map((compression) => compression.file),
    ]);
    const presets = this.data.presets[userId];
    return this.change(() => {
      delete this.data.users[userId];
      delete this.data.images[userId];
      delete this.data.presets[userId];
      for (const imageId of Object.keys(images)) delete this.data.compressions[imageId];
      const restoreLinks = this.dropShareLinks((link) => link.userId === userId);
      return {
        result: { files },
        undo: () => {
          this.data.users[userId] = user;
          this.data.images[userId] = images;
          if (presets) this.data.presets[userId] = presets;
          Object.assign(this.data.compressions, compressions);
          restoreLinks();
        },
      };
    });
  }

  async revokeToken(tokenId: string, expiresAt: Date): Promise<void> {
    const now = new Date().toISOString();
    await this.change(() => {
      const before = { ...this.data.revokedTokens };
      // Entries for tokens that have expired anyway are dropped as new ones come.
      for (const [id, until] of Object.entries(this.data.revokedTokens)) if (until <= now) delete this.data.revokedTokens[id];
      this.data.revokedTokens[tokenId] = expiresAt.toISOString();
      return { result: undefined, undo: () => void (this.data.revokedTokens = before) };
    });
  }

  async isTokenRevoked(tokenId: string): Promise<boolean> {
    return Object.hasOwn(this.data.revokedTokens, tokenId);
  }

  // Images

  private imagesOf(userId: string): ImageRecord[] {
    return Object.values(this.data.images[userId] ?? {});
  }

  private image(userId: string, imageId: string): ImageRecord | undefined {
    const images = this.data.images[userId];
    return images && Object.hasOwn(images, imageId) ? images[imageId] : undefined;
  }

  async getImage(userId: string, imageId: string): Promise<ImageRecord | undefined> {
    return this.image(userId, imageId);
  }

  async getImages(userId: string, imageIds: readonly string[]): Promise<Map<string, ImageRecord>> {
    const found = new Map<string, ImageRecord>();
    for (const id of imageIds) {
      const image = this.image(userId, id);
      if (image) found.set(id, image);
    }
    return found;
  }

  async queryImages(userId: string, query: ImageQuery): Promise<ImagePage> {
    return queryImages(this.imagesOf(userId), query);
  }

  async tagCounts(userId: string): Promise<Array<{ name: string; count: number }>> {
    const counts = new Map<string, number>();
    for (const image of this.imagesOf(userId)) {
      for (const tag of image.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }
    return [...counts]
      .map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async updateImage(
    userId: string,
    imageId: string,
    changes: Partial<Pick<ImageRecord, 'name' | 'tags'>>,
  ): Promise<ImageRecord | undefined> {
    const image = this.image(userId, imageId);
    if (!image) return undefined;
    return this.change(() => {
      const before = { name: image.name, tags: image.tags, updatedAt: image.updatedAt };
      Object.assign(image, changes, { updatedAt: new Date().toISOString() });
      return { result: image, undo: () => Object.assign(image, before) };
    });
  }

  async changeTags(userId: string, imageId: string, change: TagChange, limit: number): Promise<ImageRecord | 'limit' | undefined> {
    const image = this.image(userId, imageId);
    if (!image) return undefined;
    // Read, checked and changed in one synchronous run: no other change can come in between.
    const tags = applyTagChange(image.tags, change);
    if (tags.length > limit) return 'limit';
    return this.change(() => {
      const before = { tags: image.tags, updatedAt: image.updatedAt };
      Object.assign(image, { tags, updatedAt: new Date().toISOString() });
      return { result: image, undo: () => Object.assign(image, before) };
    });
  }

  async removeImage(userId: string, imageId: string): Promise<{ image: ImageRecord; compressions: CompressionRecord[] } | undefined> {
    const image = this.image(userId, imageId);
    if (!image) return undefined;
    const byId = this.data.compressions[imageId];
    return this.change(() => {
      const compressions = this.compressionsOf(imageId);
      delete this.data.images[userId]![imageId];
      delete this.data.compressions[imageId];
      const restoreLinks = this.dropShareLinks((link) => link.userId === userId && link.imageId === imageId);
      return {
        result: { image, compressions },
        undo: () => {
          this.data.images[userId]![imageId] = image;
          if (byId) this.data.compressions[imageId] = byId;
          restoreLinks();
        },
      };
    });
  }

  /** Used by the ledger, inside the same tick as its checks. */
  insertImageNow(image: ImageRecord): () => void {
    (this.data.images[image.userId] ??= {})[image.id] = image;
    this.data.compressions[image.id] ??= {};
    return () => {
      delete this.data.images[image.userId]?.[image.id];
      delete this.data.compressions[image.id];
    };
  }

  /**
   * For bench/storage.ts only: puts many records into the document in memory, without the write
   * per record (which would make seeding 100k images take hours) and without the uniqueness,
   * quota and capacity checks of the request paths. The caller writes them with one persist().
   */
  seedInMemoryForBenchmark(users: readonly UserRecord[], images: readonly ImageRecord[], compressions: readonly CompressionRecord[]): void {
    for (const user of users) {
      this.data.users[user.id] = user;
      this.data.images[user.id] ??= {};
    }
    for (const image of images) this.insertImageNow(image);
    for (const compression of compressions) (this.data.compressions[compression.imageId] ??= {})[compression.id] = compression;
  }

  // Compressions

  private compressionsOf(imageId: string): CompressionRecord[] {
    return Object.values(this.data.compressions[imageId] ?? {}).sort((a, b) =>
      b.createdAt < a.createdAt ? -1 : b.createdAt > a.createdAt ? 1 : b.id < a.id ? -1 : b.id > a.id ? 1 : 0,
    );
  }

  async listCompressions(imageIds: readonly string[]): Promise<Map<string, CompressionRecord[]>> {
    return new Map(imageIds.map((id) => [id, this.compressionsOf(id)]));
  }

  private compression(userId: string, compressionId: string): CompressionRecord | undefined {
    for (const image of this.imagesOf(userId)) {
      const compressions = this.data.compressions[image.id];
      if (compressions && Object.hasOwn(compressions, compressionId)) return compressions[compressionId];
    }
    return undefined;
  }

  async getCompression(userId: string, compressionId: string): Promise<CompressionRecord | undefined> {
    return this.compression(userId, compressionId);
  }

  async removeCompression(userId: string, compressionId: string): Promise<CompressionRecord | undefined> {
    const compression = this.compression(userId, compressionId);
    if (!compression) return undefined;
    return this.change(() => {
      delete this.data.compressions[compression.imageId]![compressionId];
      const restoreLinks = this.dropShareLinks((link) => link.userId === userId && link.compressionId === compressionId);
      return {
        result: compression,
        undo: () => {
          this.data.compressions[compression.imageId]![compressionId] = compression;
          restoreLinks();
        },
      };
    });
  }

  /** Used by the ledger: false when the image is gone (checked in the same tick as the insert). */
  insertCompressionNow(compression: CompressionRecord): (() => void) | null {
    if (!this.image(compression.userId, compression.imageId)) return null;
    (this.data.compressions[compression.imageId] ??= {})[compression.id] = compression;
    return () => void delete this.data.compressions[compression.imageId]?.[compression.id];
  }

  /** Used by the ledger: every record or none; null when the image is gone. */
  insertCompressionsNow(compressions: CompressionRecord[]): (() => void) | null {
    const undos: Array<() => void> = [];
    for (const compression of compressions) {
      const undo = this.insertCompressionNow(compression);
      if (!undo) {
        for (const done of undos) done();
        return null;
      }
      undos.push(undo);
    }
    return () => {
      for (const undo of undos) undo();
    };
  }

  compressionCount(imageId: string): number {
    return Object.keys(this.data.compressions[imageId] ?? {}).length;
  }

  // Quotas

  usageNow(userId: string): Usage {
    let files = 0;
    let bytes = 0;
    const images = this.imagesOf(userId);
    for (const image of images) {
      files += 1;
      bytes += image.bytes;
      for (const compression of Object.values(this.data.compressions[image.id] ?? {})) {
        files += 1;
        bytes += compression.bytes;
      }
    }
    return { images: images.length, files, bytes };
  }

  async usage(userIds: readonly string[]): Promise<Map<string, Usage>> {
    return new Map(userIds.map((id) => [id, this.usageNow(id)]));
  }

  async reserveImage(userId: string, limits: QuotaLimits): Promise<ImageReservation | QuotaRefusal> {
    this.refuseWhenFull();
    return this.ledger.reserveImage(userId, limits);
  }

  async reserveCompression(userId: string, imageId: string, limits: QuotaLimits): Promise<CompressionReservation | QuotaRefusal> {
    this.refuseWhenFull();
    return this.ledger.reserveCompression(userId, imageId, limits);
  }

  async reserveCompressions(
    userId: string,
    imageId: string,
    count: number,
    limits: QuotaLimits,
  ): Promise<CompressionSetReservation | QuotaRefusal> {
    this.refuseWhenFull();
    return this.ledger.reserveCompressions(userId, imageId, count, limits);
  }

  // Share links

  /** Removes the links that match; returns how to put them back (for an undo). */
  private dropShareLinks(matches: (link: ShareLinkRecord) => boolean): () => void {
    const dropped = Object.entries(this.data.shareLinks).filter(([, link]) => matches(link));
    for (const [hash] of dropped) delete this.data.shareLinks[hash];
    return () => {
      for (const [hash, link] of dropped) this.data.shareLinks[hash] = link;
    };
  }

  private linksOf(userId: string): ShareLinkRecord[] {
    return Object.values(this.data.shareLinks).filter((link) => link.userId === userId);
  }

  async insertShareLinks(userId: string, links: ShareLinkRecord[], limit: number): Promise<true | InsertRefusal> {
    this.refuseWhenFull();
    for (const link of links) {
      if (link.userId !== userId) throw new Error('A share link was inserted for another user.');
      const image = this.image(userId, link.imageId);
      if (!image) return 'missing';
      if (link.compressionId !== null && !Object.hasOwn(this.data.compressions[image.id] ?? {}, link.compressionId)) return 'missing';
    }
    const now = new Date().toISOString();
    const live = this.linksOf(userId).filter((link) => link.expiresAt === null || link.expiresAt > now);
    if (live.length + links.length > limit) return 'limit';
    return this.change(() => {
      const restoreExpired = this.dropShareLinks((link) => link.userId === userId && link.expiresAt !== null && link.expiresAt <= now);
      for (const link of links) this.data.shareLinks[link.tokenHash] = link;
      return {
        result: true as const,
        undo: () => {
          for (const link of links) delete this.data.shareLinks[link.tokenHash];
          restoreExpired();
        },
      };
    });
  }

  async listShareLinks(userId: string): Promise<ShareLinkRecord[]> {
    return this.linksOf(userId).sort((a, b) =>
      b.createdAt < a.createdAt ? -1 : b.createdAt > a.createdAt ? 1 : b.id < a.id ? -1 : b.id > a.id ? 1 : 0,
    );
  }

  async removeShareLink(userId: string, linkId: string): Promise<ShareLinkRecord | undefined> {
    const link = this.linksOf(userId).find((candidate) => candidate.id === linkId);
    if (!link) return undefined;
    return this.change(() => {
      delete this.data.shareLinks[link.tokenHash];
      return { result: link, undo: () => void (this.data.shareLinks[link.tokenHash] = link) };
    });
  }

  async findSharedFile(tokenHash: string): Promise<SharedFile | undefined> {
    if (!Object.hasOwn(this.data.shareLinks, tokenHash)) return undefined;
    const link = this.data.shareLinks[tokenHash]!;
    const image = this.image(link.userId, link.imageId);
    if (!image) return undefined;
    if (link.compressionId === null) return { link, image, compression: null };
    const compressions = this.data.compressions[image.id] ?? {};
    return Object.hasOwn(compressions, link.compressionId) ? { link, image, compression: compressions[link.compressionId]! } : undefined;
  }

  // Presets

  private presetsOf(userId: string): PresetRecord[] {
    return Object.values(this.data.presets[userId] ?? {});
  }

  async savePreset(preset: PresetRecord, limit: number): Promise<PresetRecord | 'limit'> {
    this.refuseWhenFull();
    const existing = this.presetsOf(preset.userId).find((candidate) => candidate.nameKey === preset.nameKey);
    if (existing) {
      return this.change(() => {
        const before = { name: existing.name, options: existing.options, updatedAt: existing.updatedAt };
        Object.assign(existing, { name: preset.name, options: preset.options, updatedAt: preset.updatedAt });
        return { result: existing, undo: () => Object.assign(existing, before) };
      });
    }
    if (this.presetsOf(preset.userId).length >= limit) return 'limit';
    return this.change(() => {
      (this.data.presets[preset.userId] ??= {})[preset.id] = preset;
      return { result: preset, undo: () => void delete this.data.presets[preset.userId]?.[preset.id] };
    });
  }

  async listPresets(userId: string): Promise<PresetRecord[]> {
    return this.presetsOf(userId).sort((a, b) => (a.nameKey < b.nameKey ? -1 : a.nameKey > b.nameKey ? 1 : 0));
  }

  async removePreset(userId: string, presetId: string): Promise<PresetRecord | undefined> {
    const presets = this.data.presets[userId];
    if (!presets || !Object.hasOwn(presets, presetId)) return undefined;
    const preset = presets[presetId]!;
    return this.change(() => {
      delete presets[presetId];
      return { result: preset, undo: () => void (presets[presetId] = preset) };
    });
  }

  /** The ledger's commit: an insert made in memory, persisted, undone when the write fails. */
  async commitInsert(insertNow: () => (() => void) | null): Promise<boolean> {
    const undo = insertNow();
    if (!undo) return false;
    try {
      await this.persist();
    } catch (error) {
      undo();
      throw error;
    }
    return true;
  }

  // Housekeeping

  async counts(): Promise<StoreCounts> {
    let images = 0;
    let compressions = 0;
    const bytes = { originals: 0, thumbnails: 0, compressions: 0 };
    for (const perUser of Object.values(this.data.images)) {
      for (const image of Object.values(perUser)) {
        images += 1;
        bytes.originals += image.bytes;
        bytes.thumbnails += image.thumbnailBytes;
      }
    }
    for (const perImage of Object.values(this.data.compressions)) {
      for (const compression of Object.values(perImage)) {
        compressions += 1;
        bytes.compressions += compression.bytes;
      }
    }
    return { users: Object.keys(this.data.users).length, images, compressions, bytes };
  }

  async *storedFiles(): AsyncIterable<StoredFiles[]> {
    const page: StoredFiles[] = [];
    for (const [userId, images] of Object.entries(this.data.images)) {
      for (const image of Object.values(images)) {
        page.push({
          userId,
          imageId: image.id,
          imageFiles: imageFilesOf(image),
          createdAt: image.createdAt,
          compressions: Object.values(this.data.compressions[image.id] ?? {}).map(({ id, file, createdAt }) => ({ id, file, createdAt })),
        });
      }
    }
    if (page.length > 0) yield page;
  }

  async removeRecordsWithoutFiles(
    images: Array<{ userId: string; imageId: string }>,
    compressions: Array<{ userId: string; compressionId: string }>,
  ): Promise<void> {
    if (images.length === 0 && compressions.length === 0) return;
    for (const { userId, compressionId } of compressions) {
      const compression = this.compression(userId, compressionId);
      if (compression) delete this.data.compressions[compression.imageId]![compressionId];
      this.dropShareLinks((link) => link.userId === userId && link.compressionId === compressionId);
    }
    for (const { userId, imageId } of images) {
      delete this.data.images[userId]?.[imageId];
      delete this.data.compressions[imageId];
      this.dropShareLinks((link) => link.userId === userId && link.imageId === imageId);
    }
    await this.persist();
  }

  async exclusively<T>(_name: string, work: () => Promise<T>): Promise<T | undefined> {
    return work();
  }

  async health(): Promise<HealthCheck> {
    const detail = {
      backend: 'embedded',
      schemaVersion: SCHEMA_VERSION,
      documentBytes: this.documentBytes,
      warnBytes: this.capacity.warnBytes,
      refuseBytes: this.capacity.refuseBytes,
      ...(this.lastWriteError ? { lastWriteError: this.lastWriteError.message } : {}),
    };
    if (this.lastWriteError) return { ok: false, status: 'write-failed', detail };
    if (this.documentBytes >= this.capacity.refuseBytes) return { ok: false, status: 'full', detail };
    if (this.documentBytes >= this.capacity.warnBytes) return { ok: true, status: 'near-capacity', detail };
    return { ok: true, status: 'ok', detail };
  }

  /** Size of db.json after the last write, for /metrics. */
  get sizeBytes(): number {
    return this.documentBytes;
  }

  /** Every change was written before it was acknowledged, so closing only lets go of the folder. */
  async close(): Promise<void> {
    await this.unlock();
  }
}

async function lockDataDir(dataDir: string, dbPath: string, waitMs: number): Promise<() => Promise<void>> {
  const retries = Math.max(0, Math.ceil(waitMs / 500));
  try {
    const release = await lockfile.lock(dataDir, {
      lockfilePath: `${dbPath}.lock`,
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_STALE_MS / 5,
      retries: { retries, factor: 1, minTimeout: 500, maxTimeout: 500 },
      // A lock we can no longer refresh (the folder vanished, a clock jump) is logged by the
      // caller's health check rather than thrown from a timer, which would kill the process.
      onCompromised: () => {},
    });
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await release().catch(() => {});
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new Error(
        `DATA_DIR (${dataDir}) is in use by another Pixpress process (${dbPath}.lock). Two processes on one ` +
          "embedded database lose each other's writes: stop the other one, or run several instances on Postgres (DATABASE_URL).",
      );
    }
    throw error;
  }
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
