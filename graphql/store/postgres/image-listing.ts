// One user's images filtered, ordered and paged by Postgres, with the same answers (and cursors)
// as image-query.ts gives over an array. Keyset pagination: the page after a cursor is the rows
// whose (sort key, id) come after the cursor's in the order, read from the index for that order.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { ValidationError } from '../../errors.ts';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, type ImageOrder, type ImagePage, type ImageQuery } from '../image-query.ts';
import type { ImageRecord } from '../records.ts';
import { imageFromRow, isUuid, sortableText } from './rows.ts';
import type { Database } from './schema.ts';

type SortKey = string | number;

interface Order {
  column: 'created_at' | 'name_key' | 'bytes';
  descending: boolean;
  /** The cursor key of an image, exactly as image-query.ts makes it. */
  key: (image: ImageRecord) => SortKey;
  /** Whether a decoded cursor key could have come from this order (else Postgres would refuse it). */
  accepts: (key: SortKey) => boolean;
}

const ISO_MILLISECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isTimestamp = (key: SortKey) => typeof key === 'string' && ISO_MILLISECONDS.test(key) && !Number.isNaN(Date.parse(key));
// Postgres text cannot hold U+0000 (and no name has one: control characters are taken out).
const isName = (key: SortKey) => typeof key === 'string' && !key.includes('\0');
const isByteCount = (key: SortKey) => typeof key === 'number' && Number.isSafeInteger(key);

const ORDERS: Record<ImageOrder, Order> = {
  NEWEST: { column: 'created_at', descending: true, key: (image) => image.createdAt, accepts: isTimestamp },
  OLDEST: { column: 'created_at', descending: false, key: (image) => image.createdAt, accepts: isTimestamp },
  NAME: { column: 'name_key', descending: false, key: (image) => image.name.toLowerCase(), accepts: isName },
  LARGEST: { column: 'bytes', descending: true, key: (image) => image.bytes, accepts: isByteCount },
  SMALLEST: { column: 'bytes', descending: false, key: (image) => image.bytes, accepts: isByteCount },
};

/** `%`, `_` and the escape character itself match only themselves. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

export async function queryImagesIn(db: Kysely<Database>, userId: string, query: ImageQuery): Promise<ImagePage> {
  if (!Number.isInteger(query.first) || query.first < 0 || query.first > MAX_PAGE_SIZE) {
    throw new ValidationError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, 'first');
  }
  const order = ORDERS[query.orderBy];
  const after = query.after ? decodeCursor(query.after) : null;
  if (after && (!order.accepts(after.key) || !isUuid(after.id))) {
    throw new ValidationError('That cursor is not one this API issued.', 'after');
  }
  if (!isUuid(userId)) return { edges: [], hasNextPage: false, endCursor: null, totalCount: 0 };

  const needle = query.search?.trim().toLowerCase() || null;
  // No name or tag holds U+0000, and Postgres would refuse the text: nothing can match.
  if (needle?.includes('\0') || query.tag?.includes('\0')) return { edges: [], hasNextPage: false, endCursor: null, totalCount: 0 };
  const tag = query.tag === null ? null : query.tag.toLowerCase();
  const filtered = needle !== null || tag !== null;
  const matching = <O>(builder: SelectQueryBuilder<Database, 'images', O>) => {
    let narrowed = builder.where('user_id', '=', userId);
    if (needle !== null) {
      // Tags are stored lower-cased (image-fields.ts), as the needle is.
      const nameLike = `%${escapeLike(sortableText(needle))}%`;
      const tagLike = `%${escapeLike(needle)}%`;
      narrowed = narrowed.where(
        sql<boolean>`(name_key like ${nameLike} or exists (select 1 from unnest(tags) as tag where tag like ${tagLike}))`,
      );
    }
    if (tag !== null) narrowed = narrowed.where(sql<boolean>`tags @> array[${tag}]::text[]`);
    return narrowed;
  };

  const direction = order.descending ? 'desc' : 'asc';
  let page = matching(db.selectFrom('images').selectAll());
  if (after) {
    const comparison = order.descending ? '<' : '>';
    const key =
      order.column === 'created_at'
        ? sql`${after.key}::timestamptz`
        : order.column === 'bytes'
          ? sql`${after.key}::bigint`
          : sql`${sortableText(String(after.key))}`;
    page = page.where(sql<boolean>`(${sql.ref(order.column)}, id) ${sql.raw(comparison)} (${key}, ${after.id}::uuid)`);
  }
  const rowsQuery = page
    .orderBy(order.column, direction)
    .orderBy('id', direction)
    .limit(query.first + 1)
    .execute();
  const totalQuery = filtered
    ? matching(db.selectFrom('images').select(sql<number>`count(*)::int`.as('total'))).executeTakeFirstOrThrow()
    : db.selectFrom('users').select('image_count as total').where('id', '=', userId).executeTakeFirst();
  const [rows, total] = await Promise.all([rowsQuery, totalQuery]);

  const edges = rows.slice(0, query.first).map((row) => {
    const image = imageFromRow(row);
    return { cursor: encodeCursor({ key: order.key(image), id: image.id }), node: image };
  });
  return { edges, hasNextPage: rows.length > query.first, endCursor: edges.at(-1)?.cursor ?? null, totalCount: total?.total ?? 0 };
}
