// The shape of db.json and how an older one is brought up to date. Records are keyed by id, with
// children nested under their parent's id, as in the original design. Each change to this shape
// adds a step to MIGRATIONS; a document written by a newer Pixpress is refused, never rewritten.
import type { CompressionRecord, ImageRecord, PresetRecord, ShareLinkRecord, UserRecord } from '../records.ts';

export interface DatabaseShape {
  schemaVersion: number;
  users: Record<string, UserRecord>;
  images: Record<string, Record<string, ImageRecord>>;
  compressions: Record<string, Record<string, CompressionRecord>>;
  /** Ended sessions: token id -> when the token expires (then the entry goes). */
  revokedTokens: Record<string, string>;
  /** Share links keyed by their token hash, so the public route finds one without a scan. */
  shareLinks: Record<string, ShareLinkRecord>;
  /** Presets by user id, then preset id. */
  presets: Record<string, Record<string, PresetRecord>>;
}

/**
 * Steps from version N to N + 1, applied in order to the parsed document. Version 1 is the
 * document of the first releases, which had no schemaVersion field.
 */
const MIGRATIONS: Array<(document: Record<string, unknown>) => void> = [
  // 1 -> 2: the version is recorded, and the three tables always exist.
  (document) => {
    document.users ??= {};
    document.images ??= {};
    document.compressions ??= {};
  },
  // 2 -> 3: sessions can end (logOut), and every user has a token version, starting at 0.
  (document) => {
    document.revokedTokens ??= {};
    for (const user of Object.values(document.users as Record<string, { tokenVersion?: number }>)) user.tokenVersion ??= 0;
  },
  // 3 -> 4: share links and presets.
  (document) => {
    document.shareLinks ??= {};
    document.presets ??= {};
  },
  // 4 -> 5: tags ignore case, so they are stored lower-cased; `wood` and `WOOD` on one image merge
  // into the first one's place.
  (document) => {
    for (const ofUser of Object.values(document.images as Record<string, Record<string, { tags: string[] }>>)) {
      for (const image of Object.values(ofUser)) image.tags = [...new Set(image.tags.map((tag) => tag.toLowerCase()))];
    }
  },
  // 5 -> 6: images may have a display rendition; those stored before have none.
  (document) => {
    for (const ofUser of Object.values(document.images as Record<string, Record<string, { displayFile?: string | null }>>)) {
      for (const image of Object.values(ofUser)) image.displayFile ??= null;
    }
  },
  // 6 -> 7: what a photo's metadata says of it, read at upload; those stored before have none.
  (document) => {
    for (const ofUser of Object.values(document.images as Record<string, Record<string, { photoFacts?: unknown }>>)) {
      for (const image of Object.values(ofUser)) image.photoFacts ??= null;
    }
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length + 1;

export function emptyDocument(): DatabaseShape {
  return { schemaVersion: SCHEMA_VERSION, users: {}, images: {}, compressions: {}, revokedTokens: {}, shareLinks: {}, presets: {} };
}

/** The document at SCHEMA_VERSION; `migrated` when steps were applied (it should be written back). */
export function migrateDocument(parsed: unknown, path = 'db.json'): { data: DatabaseShape; migrated: boolean } {
  if (parsed === null) return { data: emptyDocument(), migrated: false };
  if (typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as { users?: unknown }).users !== 'object') {
    throw new Error(`${path} is not a Pixpress database (missing the users table); refusing to overwrite it`);
  }
  const document = parsed as Record<string, unknown>;
  const version = document.schemaVersion === undefined ? 1 : document.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new Error(`${path} has an invalid schemaVersion (${JSON.stringify(version)}); refusing to overwrite it`);
  }
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `${path} was written by a newer Pixpress (schema version ${version}; this one knows up to ${SCHEMA_VERSION}); refusing to open it`,
    );
  }
  for (let step = version; step < SCHEMA_VERSION; step += 1) MIGRATIONS[step - 1]!(document);
  document.schemaVersion = SCHEMA_VERSION;
  return { data: document as unknown as DatabaseShape, migrated: version < SCHEMA_VERSION };
}
