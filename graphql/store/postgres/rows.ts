// Records to rows and back, and the few queries every write shares.
import type { Insertable, Selectable, Transaction } from 'kysely';
import type { CompressionRecord, ImageFormat, ImageRecord, PresetOptions, PresetRecord, ShareLinkRecord, UserRecord } from '../records.ts';
import type { CompressionsTable, Database, ImagesTable, PresetsTable, ShareLinksTable, UsersTable } from './schema.ts';

// Lower-case only: ids are issued by crypto.randomUUID(), and an id in any other spelling would
// name no record in the embedded store either.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether `id` can name a row; anything else names nothing (and would make Postgres refuse the query). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

// JS orders strings by UTF-16 code unit; Postgres's "C" collation by code point. They disagree only
// where a surrogate (the half of an emoji, say) meets U+E000..U+FFFF (fullwidth forms, …). Moving
// every code unit from U+D800 up to the supplementary planes, in order, makes the code point order
// of the result the code unit order of the original; below U+D800 (nearly all text) nothing changes.
// It maps unit by unit, so a substring of a name maps to a substring of its key: search still works.
const FIRST_SURROGATE = 0xd800;
const MOVED_TO = 0x10000;

/** The stored key for ordering and searching by name: name.toLowerCase(), in code-unit order. */
export function sortableText(lowerCased: string): string {
  if (!/[\ud800-\uffff]/.test(lowerCased)) return lowerCased;
  let key = '';
  for (let index = 0; index < lowerCased.length; index++) {
    const unit = lowerCased.charCodeAt(index);
    key += unit < FIRST_SURROGATE ? lowerCased[index] : String.fromCodePoint(unit - FIRST_SURROGATE + MOVED_TO);
  }
  return key;
}

export type UserCounters = Pick<Selectable<UsersTable>, 'image_count' | 'file_count' | 'byte_count'>;

/**
 * Locks the user's row for the rest of the transaction. Every transaction that writes a user's
 * records or slots takes this lock first, so they never wait on each other in opposite orders.
 */
export async function lockUser(trx: Transaction<Database>, userId: string): Promise<UserCounters | undefined> {
  return trx
    .selectFrom('users')
    .select(['image_count', 'file_count', 'byte_count'])
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

export function userFromRow(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    usernameKey: row.username_key,
    passwordHash: row.password_hash,
    createdAt: row.created_at.toISOString(),
    tokenVersion: row.token_version,
  };
}

export function imageRow(image: ImageRecord): Insertable<ImagesTable> {
  return {
    id: image.id,
    user_id: image.userId,
    name: image.name,
    name_key: sortableText(image.name.toLowerCase()),
    tags: image.tags,
    format: image.format,
    mime_type: image.mimeType,
    width: image.width,
    height: image.height,
    bytes: image.bytes,
    file: image.file,
    thumbnail_file: image.thumbnailFile,
    thumbnail_bytes: image.thumbnailBytes,
    display_file: image.displayFile,
    photo_facts: image.photoFacts,
    created_at: image.createdAt,
    updated_at: image.updatedAt,
  };
}

export function imageFromRow(row: Selectable<ImagesTable>): ImageRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    tags: row.tags,
    format: row.format as ImageFormat,
    mimeType: row.mime_type,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    file: row.file,
    thumbnailFile: row.thumbnail_file,
    thumbnailBytes: row.thumbnail_bytes,
    displayFile: row.display_file,
    photoFacts: row.photo_facts,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function compressionRow(compression: CompressionRecord): Insertable<CompressionsTable> {
  return {
    id: compression.id,
    image_id: compression.imageId,
    user_id: compression.userId,
    format: compression.format,
    mime_type: compression.mimeType,
    width: compression.width,
    height: compression.height,
    bytes: compression.bytes,
    quality: compression.quality,
    ssim: compression.ssim,
    file: compression.file,
    created_at: compression.createdAt,
    options: compression.options ? JSON.stringify(compression.options) : null,
  };
}

export function compressionFromRow(row: Selectable<CompressionsTable>): CompressionRecord {
  return {
    id: row.id,
    imageId: row.image_id,
    userId: row.user_id,
    format: row.format as ImageFormat,
    mimeType: row.mime_type,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    quality: row.quality,
    ssim: row.ssim,
    file: row.file,
    createdAt: row.created_at.toISOString(),
    // Left out rather than null when absent, as the embedded store keeps a record without it.
    ...(row.options ? { options: row.options } : {}),
  };
}

/** Newest first, ties by id, as the embedded store lists them. */
export function newestFirst(a: CompressionRecord, b: CompressionRecord): number {
  return b.createdAt < a.createdAt ? -1 : b.createdAt > a.createdAt ? 1 : b.id < a.id ? -1 : b.id > a.id ? 1 : 0;
}

export function shareLinkRow(link: ShareLinkRecord): Insertable<ShareLinksTable> {
  return {
    id: link.id,
    user_id: link.userId,
    image_id: link.imageId,
    compression_id: link.compressionId,
    token_hash: link.tokenHash,
    nonce: link.nonce,
    created_at: link.createdAt,
    expires_at: link.expiresAt,
  };
}

export function shareLinkFromRow(row: Selectable<ShareLinksTable>): ShareLinkRecord {
  return {
    id: row.id,
    userId: row.user_id,
    imageId: row.image_id,
    compressionId: row.compression_id,
    tokenHash: row.token_hash,
    nonce: row.nonce,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at ? row.expires_at.toISOString() : null,
  };
}

export function presetFromRow(row: Selectable<PresetsTable>): PresetRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    nameKey: row.name_key,
    options: row.options as PresetOptions,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
