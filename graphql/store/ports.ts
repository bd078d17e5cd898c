// The two ports every storage backend implements. Resolvers, the site, metrics, the sweep and the
// tests talk to these only; nothing outside an adapter knows whether records live in a lowdb
// document or in Postgres, or bytes in a local folder or an S3 bucket.
//
// Ordering rules every caller keeps, whatever the backend, so that a crash or a failed call
// never leaves a record without its bytes: bytes are written before their record (put, then
// commit the reservation); a record is removed before its bytes (removeImage, then blobs.remove);
// whatever a crash leaves behind is bytes without a record, which the sweep removes.
import type { Readable } from 'node:stream';
import type { ImagePage, ImageQuery } from './image-query.ts';
import type { CompressionRecord, ImageRecord, PresetRecord, SharedFile, ShareLinkRecord, UserRecord } from './records.ts';

export interface Usage {
  images: number;
  /** Originals plus compressions (thumbnails are not counted). */
  files: number;
  /** Bytes of originals plus compressions. */
  bytes: number;
}

export interface QuotaLimits {
  quotaImages: number;
  quotaCompressionsPerImage: number;
  quotaFiles: number;
  /** Bytes of originals plus compressions; checked when a record is committed (its size is known then). */
  quotaBytes: number;
}

export type QuotaKind = 'images' | 'compressionsPerImage' | 'files' | 'bytes';

export interface QuotaRefusal {
  kind: QuotaKind;
  limit: number;
}

/**
 * A held quota slot. `commit` writes the record and gives up the slot in one unit of work;
 * `release` gives the slot back without a record. Both may be called more than once (a finally
 * block releases after a commit); only the first call of either acts.
 */
export interface ImageReservation {
  /**
   * Throws QuotaRefusedError (nothing written) when the slot had expired, because this process
   * held it past the backend's reservation TTL without renewing it, and the quota has since been
   * filled by others.
   */
  commit(image: ImageRecord): Promise<void>;
  release(): Promise<void>;
}

export interface CompressionReservation {
  /**
   * Writes the record; false (and nothing written) when the image was deleted meanwhile. Throws
   * QuotaRefusedError as ImageReservation.commit does.
   */
  commit(compression: CompressionRecord): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Slots for several compressions of one image, held and committed as one unit: the records are
 * written all together or not at all.
 */
export interface CompressionSetReservation {
  /**
   * Writes every record in one unit of work; false (nothing written) when the image was deleted
   * meanwhile. Throws QuotaRefusedError as ImageReservation.commit does (bytes are checked for the
   * set as a whole). Gives more records than slots were reserved for: an Error, nothing written.
   */
  commit(compressions: CompressionRecord[]): Promise<boolean>;
  release(): Promise<void>;
}

/** Tags to add to and remove from one image, already validated and lower-cased (validateTags). */
export interface TagChange {
  add: readonly string[];
  remove: readonly string[];
}

/** Why a share link or preset was not written. */
export type InsertRefusal = 'limit' | 'missing';

/** A commit refused by the quota after all (see ImageReservation.commit); carries the refusal. */
export class QuotaRefusedError extends Error {
  readonly refusal: QuotaRefusal;
  constructor(refusal: QuotaRefusal) {
    super(`The ${refusal.kind} quota (${refusal.limit}) was filled while this slot had expired.`);
    this.name = 'QuotaRefusedError';
    this.refusal = refusal;
  }
}

export function isRefusal<T extends object>(value: T | QuotaRefusal): value is QuotaRefusal {
  return 'kind' in value && 'limit' in value;
}

export interface StoreCounts {
  users: number;
  images: number;
  compressions: number;
  bytes: { originals: number; thumbnails: number; compressions: number };
}

/** One image and the files its records name, as the sweep walks them. */
export interface StoredFiles {
  userId: string;
  imageId: string;
  /** The original, its thumbnail and its display rendition if it has one (imageFilesOf). */
  imageFiles: string[];
  /** ISO time the image record was written: the sweep judges only records older than its listing. */
  createdAt: string;
  compressions: Array<{ id: string; file: string; createdAt: string }>;
}

export interface HealthCheck {
  ok: boolean;
  /** A short word for dashboards: 'ok', 'unreachable', 'near-capacity', … */
  status: string;
  /** Anything an operator should read; never secrets. */
  detail?: Record<string, unknown>;
}

export interface RecordStore {
  readonly backend: 'embedded' | 'postgres';

  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  getUser(id: string): Promise<UserRecord | undefined>;
  /** Adds the user unless the name (ignoring case) is taken; false when taken. */
  insertUser(user: UserRecord): Promise<boolean>;
  /** Sets a new password hash and raises the token version (ending older sessions); the updated user. */
  changePassword(userId: string, passwordHash: string): Promise<UserRecord | undefined>;
  /** Removes the user with every image, compression, share link and preset; returns the keys of the files to remove. */
  deleteUser(userId: string): Promise<{ files: string[] } | undefined>;
  /** Ends one session: the token id is refused until the token would have expired anyway. */
  revokeToken(tokenId: string, expiresAt: Date): Promise<void>;
  isTokenRevoked(tokenId: string): Promise<boolean>;

  getImage(userId: string, imageId: string): Promise<ImageRecord | undefined>;
  /** Batched lookup of one user's images (missing ids are absent from the map). */
  getImages(userId: string, imageIds: readonly string[]): Promise<Map<string, ImageRecord>>;
  /** Filter, order and page one user's images in the backend. */
  queryImages(userId: string, query: ImageQuery): Promise<ImagePage>;
  /** One user's tags with how many images carry each, most used first, then by name. */
  tagCounts(userId: string): Promise<Array<{ name: string; count: number }>>;
  /** Applies a rename or retag; undefined when the user has no such image. */
  updateImage(userId: string, imageId: string, changes: Partial<Pick<ImageRecord, 'name' | 'tags'>>): Promise<ImageRecord | undefined>;
  /**
   * Removes then adds tags in one unit of work, so that concurrent changes of one image's tags
   * each keep the other's: 'limit' (nothing changed) when the image would carry more than
   * `limit` tags; undefined when the user has no such image.
   */
  changeTags(userId: string, imageId: string, change: TagChange, limit: number): Promise<ImageRecord | 'limit' | undefined>;
  /** Removes the image, its compressions and their share links; returns what was removed (so its files can go). */
  removeImage(userId: string, imageId: string): Promise<{ image: ImageRecord; compressions: CompressionRecord[] } | undefined>;

  /** Compressions of each image, newest first; batched for galleries (no N+1 round trips). */
  listCompressions(imageIds: readonly string[]): Promise<Map<string, CompressionRecord[]>>;
  getCompression(userId: string, compressionId: string): Promise<CompressionRecord | undefined>;
  /** Removes the compression and its share links. */
  removeCompression(userId: string, compressionId: string): Promise<CompressionRecord | undefined>;

  /** Usage of each user, batched. */
  usage(userIds: readonly string[]): Promise<Map<string, Usage>>;
  /** Holds a slot for a new image, counting stored records and every live reservation. */
  reserveImage(userId: string, limits: QuotaLimits): Promise<ImageReservation | QuotaRefusal>;
  reserveCompression(userId: string, imageId: string, limits: QuotaLimits): Promise<CompressionReservation | QuotaRefusal>;
  /** Holds `count` compression slots of one image at once, or refuses them all. */
  reserveCompressions(
    userId: string,
    imageId: string,
    count: number,
    limits: QuotaLimits,
  ): Promise<CompressionSetReservation | QuotaRefusal>;

  /**
   * Adds share links of one user in one unit of work, all or none: 'limit' when the user would
   * hold more than `limit` links (expired ones are removed first and do not count), 'missing' when
   * a link's image or compression is not the user's. Removing an image, a compression or the user
   * removes their links in the same unit of work.
   */
  insertShareLinks(userId: string, links: ShareLinkRecord[], limit: number): Promise<true | InsertRefusal>;
  /** One user's links, newest first (expired ones too, until the next insert clears them). */
  listShareLinks(userId: string): Promise<ShareLinkRecord[]>;
  removeShareLink(userId: string, linkId: string): Promise<ShareLinkRecord | undefined>;
  /** The link with this token hash and the file it names, in one lookup; for the public route. */
  findSharedFile(tokenHash: string): Promise<SharedFile | undefined>;

  /**
   * Saves a preset, replacing the options of the user's preset of the same name (ignoring case,
   * keeping its id); 'limit' when it is new and the user holds `limit` presets already.
   */
  savePreset(preset: PresetRecord, limit: number): Promise<PresetRecord | 'limit'>;
  /** One user's presets, by name. */
  listPresets(userId: string): Promise<PresetRecord[]>;
  removePreset(userId: string, presetId: string): Promise<PresetRecord | undefined>;

  /** Totals for /metrics. */
  counts(): Promise<StoreCounts>;
  /** Every image with the files its records name, in pages; for the sweep. */
  storedFiles(): AsyncIterable<StoredFiles[]>;
  /** Removes records whose files are gone (found by the sweep). */
  removeRecordsWithoutFiles(
    images: Array<{ userId: string; imageId: string }>,
    compressions: Array<{ userId: string; compressionId: string }>,
  ): Promise<void>;

  /**
   * Runs `work` unless another instance is running work under the same name (then undefined):
   * the sweep runs on one instance at a time. The embedded backend has only one instance.
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T | undefined>;

  health(): Promise<HealthCheck>;
  /** Finishes writes in flight and lets go of connections and locks. */
  close(): Promise<void>;
}

/**
 * Sliding-window counters shared by every instance (login failures, per-address limits). For the
 * embedded backend they live in process memory; with Postgres, in a table.
 */
export interface RateCounters {
  /** How many events `key` had in the last `windowMs`, and when the oldest of them leaves it. */
  count(key: string, windowMs: number): Promise<{ count: number; oldestMs: number | null }>;
  /** Records one event for `key` now; returns the count in the window including it. */
  add(key: string, windowMs: number): Promise<number>;
  clear(key: string): Promise<void>;
}

/** What a HEAD answers with: a stored file's size and date, without its bytes. */
export interface BlobStat {
  size: number;
  lastModified: Date;
}

/** A stored file's bytes as a stream, for the /files/ handler. */
export interface BlobReadable extends BlobStat {
  stream: Readable;
}

/** A local file with a blob's bytes, for sharp; release() removes it when it was a download. */
export interface LocalCopy {
  path: string;
  release(): Promise<void>;
}

export interface BlobListing {
  key: string;
  lastModified: Date;
}

export interface DirectUrlOptions {
  ttlSeconds: number;
  contentType: string;
  /** The name a browser saves the file under (Content-Disposition). */
  downloadName?: string;
  /** Show in the browser, or save: attachment when a downloadName is given, inline otherwise. */
  disposition?: 'inline' | 'attachment';
}

export interface BlobStore {
  readonly backend: 'local' | 's3';

  /** A fresh path in this process's scratch folder, for a file being received or made. */
  scratchPath(): Promise<string>;
  /** Removes a scratch file (missing is fine). */
  removeScratch(path: string): Promise<void>;
  /** Stores a finished scratch file under `key` (local: flushed and renamed; S3: uploaded, then removed). */
  putFile(key: string, scratchPath: string, contentType: string): Promise<void>;
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  read(key: string): Promise<Buffer>;
  /** The bytes as a stream, or undefined when there is no such blob. */
  open(key: string): Promise<BlobReadable | undefined>;
  /** Size and date without reading the bytes (an S3 HeadObject), or undefined when there is no such blob. */
  stat(key: string): Promise<BlobStat | undefined>;
  localCopy(key: string): Promise<LocalCopy>;
  remove(...keys: string[]): Promise<void>;
  /** Every stored blob, in pages (scratch files are not blobs). */
  list(): AsyncIterable<BlobListing[]>;
  /**
   * A URL the browser fetches from the store itself (S3 presigned GET), or null when this store
   * cannot give one and files go through the app's signed /files/ URLs.
   */
  directUrl(key: string, options: DirectUrlOptions): Promise<string | null>;
  /** Clears what earlier runs of this process left in the scratch folder. */
  clearScratch(): Promise<number>;
  health(): Promise<HealthCheck>;
  close(): Promise<void>;
}

/** Keys under which files are stored: generated from ids, never from a client's file name. */
export const blobKeys = {
  original: (userId: string, imageId: string, extension: string) => `${userId}/${imageId}.${extension}`,
  thumbnail: (userId: string, imageId: string) => `${userId}/thumbnails/${imageId}.webp`,
  rendition: (userId: string, imageId: string) => `${userId}/renditions/${imageId}.webp`,
  compression: (userId: string, compressionId: string, extension: string) => `${userId}/compressions/${compressionId}.${extension}`,
};

/** Ids are UUIDs and extensions are ours: a key of any other shape was never issued. */
export const BLOB_KEY_PATTERN = /^[0-9a-f-]{36}\/(?:(?:thumbnails|renditions|compressions)\/)?[0-9a-f-]{36}\.(jpg|png|webp|avif|gif)$/;

/**
 * A backend (database or bucket) did not answer or failed mid-request. Clients get SERVER_BUSY
 * (503): the request changed nothing and may be tried again.
 */
export class StorageUnavailableError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what} is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StorageUnavailableError';
  }
}

/** The store is near a limit it cannot pass safely; new records are refused (STORAGE_FULL, 507). */
export class StorageFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageFullError';
  }
}

/** read() or localCopy() of a key with no blob (open() answers undefined instead). */
export class BlobNotFoundError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`no blob stored under ${key}`);
    this.name = 'BlobNotFoundError';
    this.key = key;
  }
}
