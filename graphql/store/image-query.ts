// Listing a user's images: filter, order, then a page after an opaque cursor. The cursor holds the
// sort key and id of the last item seen, so pages stay stable when images are added or removed.
import { ValidationError } from '../errors.ts';
import type { ImageRecord } from './records.ts';

export type ImageOrder = 'NEWEST' | 'OLDEST' | 'NAME' | 'LARGEST' | 'SMALLEST';

export interface ImageQuery {
  first: number;
  after: string | null;
  orderBy: ImageOrder;
  search: string | null;
  tag: string | null;
}

export interface ImagePage {
  edges: Array<{ cursor: string; node: ImageRecord }>;
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: number;
}

export const MAX_PAGE_SIZE = 100;

type SortKey = string | number;

const ORDERS: Record<ImageOrder, { key: (image: ImageRecord) => SortKey; descending: boolean }> = {
  NEWEST: { key: (image) => image.createdAt, descending: true },
  OLDEST: { key: (image) => image.createdAt, descending: false },
  NAME: { key: (image) => image.name.toLowerCase(), descending: false },
  LARGEST: { key: (image) => image.bytes, descending: true },
  SMALLEST: { key: (image) => image.bytes, descending: false },
};

function compare(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

interface Position {
  key: SortKey;
  id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.key, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if ((typeof key === 'string' || typeof key === 'number') && typeof id === 'string') return { key, id };
  } catch {
    // Falls through to the error below.
  }
  throw new ValidationError('That cursor is not one this API issued.', 'after');
}

export function queryImages(images: ImageRecord[], query: ImageQuery): ImagePage {
  if (!Number.isInteger(query.first) || query.first < 0 || query.first > MAX_PAGE_SIZE) {
    throw new ValidationError(`first must be between 0 and ${MAX_PAGE_SIZE}.`, 'first');
  }
  const order = ORDERS[query.orderBy];
  const needle = query.search?.trim().toLowerCase() || null;
  const tag = query.tag === null ? null : query.tag.toLowerCase();
  // Tags are stored lower-cased (image-fields.ts), so search and the tag filter ignore case.
  const matching = images.filter(
    (image) =>
      (needle === null || image.name.toLowerCase().includes(needle) || image.tags.some((each) => each.includes(needle))) &&
      (tag === null || image.tags.includes(tag)),
  );
  // Ties on the key are broken by id so that the order (and so every cursor) is total.
  const inOrder = (a: Position, b: Position) => {
    const byKey = compare(a.key, b.key) || compare(a.id, b.id);
    return order.descending ? -byKey : byKey;
  };
  const positioned = matching
    .map((image) => ({ image, position: { key: order.key(image), id: image.id } }))
    .sort((a, b) => inOrder(a.position, b.position));

  const after = query.after ? decodeCursor(query.after) : null;
  const rest = after ? positioned.filter((entry) => inOrder(entry.position, after) > 0) : positioned;
  const page = rest.slice(0, query.first);
  const edges = page.map((entry) => ({ cursor: encodeCursor(entry.position), node: entry.image }));
  return {
    edges,
    hasNextPage: rest.length > page.length,
    endCursor: edges.at(-1)?.cursor ?? null,
    totalCount: matching.length,
  };
}
