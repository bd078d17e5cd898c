// The gallery's state lives in the URL (shareable, and the back button works): search text, tag,
// sort order and the page cursor.
import type { ImageOrder } from '../gql/graphql.ts';

export const SORTS = [
  { value: 'newest', order: 'NEWEST', label: 'Newest first' },
  { value: 'oldest', order: 'OLDEST', label: 'Oldest first' },
  { value: 'name', order: 'NAME', label: 'Name (A–Z)' },
  { value: 'largest', order: 'LARGEST', label: 'Largest first' },
  { value: 'smallest', order: 'SMALLEST', label: 'Smallest first' },
] as const satisfies ReadonlyArray<{ value: string; order: ImageOrder; label: string }>;

export type SortValue = (typeof SORTS)[number]['value'];

export interface GalleryParams {
  search: string;
  tag: string;
  sort: SortValue;
  after: string | null;
}

export const DEFAULT_SORT: SortValue = 'newest';

export function readGalleryParams(query: URLSearchParams): GalleryParams {
  const sort = query.get('sort');
  return {
    search: (query.get('q') ?? '').trim(),
    // Tags ignore case and are stored lower-cased: ?tag=Wood selects the tag wood.
    tag: (query.get('tag') ?? '').trim().toLowerCase(),
    sort: SORTS.some((s) => s.value === sort) ? (sort as SortValue) : DEFAULT_SORT,
    after: query.get('after') || null,
  };
}

export function orderFor(sort: SortValue): ImageOrder {
  return SORTS.find((s) => s.value === sort)!.order;
}

/** The gallery URL for these params; defaults are left out so URLs stay short. */
export function galleryHref(params: Partial<GalleryParams>): string {
  const query = new URLSearchParams();
  if (params.search) query.set('q', params.search);
  if (params.tag) query.set('tag', params.tag);
  if (params.sort && params.sort !== DEFAULT_SORT) query.set('sort', params.sort);
  if (params.after) query.set('after', params.after);
  const text = query.toString();
  return text ? `/?${text}` : '/';
}
