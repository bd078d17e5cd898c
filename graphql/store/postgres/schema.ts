// The tables as Kysely sees them. int8 columns are parsed to numbers by the pool (connect.ts):
// counts and byte sizes stay far below 2^53. Timestamps come back as Dates and go in as the ISO
// strings the records carry.
import type { ColumnType, Generated } from 'kysely';
import type { CompressionSettings } from '../records.ts';
import type { PhotoFacts } from '../../imaging/photo-facts.ts';

type Timestamp = ColumnType<Date, string | Date, string | Date>;
type Counter = ColumnType<number, number | undefined, number>;

export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  password_hash: string;
  created_at: Timestamp;
  /** Kept in the transactions that insert or delete records, so usage and quotas are one row. */
  image_count: Counter;
  /** Originals plus compressions. */
  file_count: Counter;
  /** Bytes of originals plus compressions. */
  byte_count: Counter;
  /** Bytes of originals and of thumbnails alone, for /metrics without a scan. */
  original_byte_count: Counter;
  thumbnail_byte_count: Counter;
  /** Raised by a password change: tokens issued under an older version are refused. */
  token_version: Counter;
}

export interface RevokedTokensTable {
  token_id: string;
  expires_at: Timestamp;
}

export interface ImagesTable {
  id: string;
  user_id: string;
  name: string;
  /** sortableText(name.toLowerCase()) computed in JS, so search and the NAME order match the embedded store. */
  name_key: string;
  tags: string[];
  format: string;
  mime_type: string;
  width: number;
  height: number;
  bytes: number;
  file: string;
  thumbnail_file: string;
  thumbnail_bytes: number;
  display_file: string | null;
  photo_facts: PhotoFacts | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CompressionsTable {
  id: string;
  image_id: string;
  user_id: string;
  format: string;
  mime_type: string;
  width: number;
  height: number;
  bytes: number;
  quality: number;
  ssim: number | null;
  file: string;
  created_at: Timestamp;
  /** jsonb: pg parses it on the way out; it goes in as JSON text. */
  options: ColumnType<CompressionSettings | null, string | null | undefined, string | null>;
}

export interface ReservationsTable {
  id: string;
  user_id: string;
  /** The image a compression slot is for; null for an image slot. */
  image_id: string | null;
  kind: 'image' | 'compression';
  expires_at: Timestamp;
}

export interface RateEventsTable {
  id: Generated<number>;
  key: string;
  at: Timestamp;
  /** at + the window it was counted in: rows past it are pruned by anyone. */
  expires_at: Timestamp;
}

export interface ShareLinksTable {
  id: string;
  user_id: string;
  image_id: string;
  compression_id: string | null;
  token_hash: string;
  nonce: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date | null, string | Date | null, string | Date | null>;
}

export interface PresetsTable {
  id: string;
  user_id: string;
  name: string;
  name_key: string;
  /** A PresetOptions object. */
  options: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  images: ImagesTable;
  compressions: CompressionsTable;
  reservations: ReservationsTable;
  rate_events: RateEventsTable;
  revoked_tokens: RevokedTokensTable;
  share_links: ShareLinksTable;
  presets: PresetsTable;
}
