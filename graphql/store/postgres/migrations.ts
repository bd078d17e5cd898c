// Versioned schema changes, run at start by every instance. Kysely's Migrator records what ran in
// kysely_migration; a session advisory lock around it makes instances that start together take
// turns, so exactly one applies each migration and the others find nothing left to do.
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type pg from 'pg';
import { holdSession } from './session.ts';

/** An arbitrary constant every Pixpress instance agrees on (pg_advisory_lock takes a bigint). */
const MIGRATION_LOCK_KEY = 7_231_110_001;
/** How long an instance waits for another's migrations before giving up at start. */
const MIGRATION_WAIT = '5min';

async function run(db: Kysely<unknown>, statements: string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const initial: Migration = {
  up: (db) =>
    run(db, [
      // Both trusted since Postgres 13 (a database owner may create them) and in Debian's
      // postgresql-15. btree_gin lets one GIN index start with user_id, so a search or a tag
      // filter reads only that user's entries: with a single-column index it read every user's
      // matches (over ten times slower for one user's few images among 500k; bench/RESULTS.md).
      'create extension if not exists pg_trgm',
      'create extension if not exists btree_gin',
      `create table users (
        id uuid primary key,
        username text not null,
        username_key text not null unique,
        password_hash text not null,
        created_at timestamptz not null,
        image_count bigint not null default 0,
        file_count bigint not null default 0,
        byte_count bigint not null default 0,
        original_byte_count bigint not null default 0,
        thumbnail_byte_count bigint not null default 0
      )`,
      // name_key in the "C" collation, ordered by code point: rows.ts's sortableText makes that the
      // order in which JS compares the names.
      `create table images (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        name text not null,
        name_key text collate "C" not null,
        tags text[] not null default '{}',
        format text not null,
        mime_type text not null,
        width integer not null,
        height integer not null,
        bytes bigint not null,
        file text not null,
        thumbnail_file text not null,
        thumbnail_bytes bigint not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      'create index images_by_created on images (user_id, created_at, id)',
      'create index images_by_name on images (user_id, name_key, id)',
      'create index images_by_bytes on images (user_id, bytes, id)',
      'create index images_name_search on images using gin (user_id, name_key gin_trgm_ops)',
      'create index images_tags on images using gin (user_id, tags)',
      `create table compressions (
        id uuid primary key,
        image_id uuid not null references images (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        format text not null,
        mime_type text not null,
        width integer not null,
        height integer not null,
        bytes bigint not null,
        quality integer not null,
        ssim double precision,
        file text not null,
        created_at timestamptz not null
      )`,
      'create index compressions_by_image on compressions (image_id, created_at, id)',
      'create index compressions_by_user on compressions (user_id)',
      // image_id has no foreign key: a slot for an image deleted meanwhile is released by its
      // holder (its commit then returns false), and reserving never waits on the image's row.
      `create table reservations (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        image_id uuid,
        kind text not null check (kind in ('image', 'compression')),
        expires_at timestamptz not null
      )`,
      'create index reservations_by_user on reservations (user_id, expires_at)',
      'create index reservations_by_image on reservations (image_id, expires_at) where image_id is not null',
      `create table rate_events (
        id bigint generated always as identity primary key,
        key text not null,
        at timestamptz not null,
        expires_at timestamptz not null
      )`,
      'create index rate_events_by_key on rate_events (key, at)',
      'create index rate_events_by_expiry on rate_events (expires_at)',
    ]),
};

/** Sessions that end: a token version per user (a password change raises it) and ended tokens. */
const sessions: Migration = {
  up: (db) =>
    run(db, [
      'alter table users add column token_version integer not null default 0',
      `create table revoked_tokens (
        token_id text primary key,
        expires_at timestamptz not null
      )`,
      'create index revoked_tokens_by_expiry on revoked_tokens (expires_at)',
    ]),
};

/**
 * Share links and presets. The foreign keys cascade, so removing an image, a compression or a user
 * removes their links in the same transaction.
 */
const shares: Migration = {
  up: (db) =>
    run(db, [
      `create table share_links (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        image_id uuid not null references images (id) on delete cascade,
        compression_id uuid references compressions (id) on delete cascade,
        token_hash text not null unique,
        nonce text not null,
        created_at timestamptz not null,
        expires_at timestamptz
      )`,
      'create index share_links_by_user on share_links (user_id, created_at, id)',
      'create index share_links_by_image on share_links (image_id)',
      'create index share_links_by_compression on share_links (compression_id) where compression_id is not null',
      `create table presets (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        name text not null,
        name_key text not null,
        options jsonb not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (user_id, name_key)
      )`,
    ]),
};

/** The options each compression was made with (null for those stored before). */
const compressionOptions: Migration = {
  up: (db) => run(db, ['alter table compressions add column options jsonb']),
};

/**
 * Tags ignore case, so they are stored lower-cased (as image-fields.ts writes them); duplicates that
 * differ only in case merge into the first one's place. lower() follows the database's locale,
 * toLowerCase() the Unicode default; where the two differ, a retag writes JavaScript's form.
 */
const lowerCaseTags: Migration = {
  up: (db) =>
    run(db, [
      `update images set tags = array(
        select lower(tag) from unnest(tags) with ordinality as t(tag, position)
        group by lower(tag) order by min(position)
      )
      where exists (select 1 from unnest(tags) as tag where tag <> lower(tag))`,
    ]),
};

/** The display rendition pages show instead of the original (null for images stored before). */
const displayRenditions: Migration = {
  up: (db) => run(db, ['alter table images add column display_file text']),
};

/** Camera, lens, exposure, date and colour profile read at upload (null for images stored before). */
const photoFacts: Migration = {
  up: (db) => run(db, ['alter table images add column photo_facts jsonb']),
};

/** In order; a released migration is never edited, only followed by a new one. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_sessions': sessions,
  '0003_shares': shares,
  '0004_compression_options': compressionOptions,
  '0005_lower_case_tags': lowerCaseTags,
  '0006_display_renditions': displayRenditions,
  '0007_photo_facts': photoFacts,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Applies every pending migration; returns the names applied by this call. */
export async function migrateToLatest(db: Kysely<unknown>, pool: pg.Pool): Promise<string[]> {
  // The lock belongs to one session: a connection of its own (the migrations run on another),
  // dropped afterwards, so its statement timeout and the lock go with it even if the unlock fails.
  const lockSession = await holdSession(pool);
  try {
    await lockSession.client.query(`set statement_timeout = '${MIGRATION_WAIT}'`);
    await lockSession.client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
    if (error) throw error;
    const failed = results?.find((result) => result.status === 'Error');
    if (failed) throw new Error(`migration ${failed.migrationName} failed`);
    return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
  } finally {
    if (!lockSession.lost) await lockSession.client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    lockSession.release({ destroy: true });
  }
}
