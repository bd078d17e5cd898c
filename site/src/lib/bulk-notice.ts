// What the gallery says after a bulk action: the action posts, the page redirects back to the same
// view with counts in the URL (never text, so a link cannot make the page say anything else).

const DONE: Record<string, (count: number) => string> = {
  delete: (count) => `Deleted ${count} ${count === 1 ? 'image' : 'images'}.`,
  'tag-add': (count) => `Added the tag to ${count} ${count === 1 ? 'image' : 'images'}.`,
  'tag-remove': (count) => `Removed the tag from ${count} ${count === 1 ? 'image' : 'images'}.`,
};

export function bulkRedirect(current: URL, action: string, results: ReadonlyArray<{ __typename: string }>): string {
  const target = new URL(current);
  for (const key of ['done', 'ok', 'failed']) target.searchParams.delete(key);
  const ok = results.filter((result) => result.__typename === 'Deleted' || result.__typename === 'Image').length;
  target.searchParams.set('done', action);
  target.searchParams.set('ok', String(ok));
  if (results.length > ok) target.searchParams.set('failed', String(results.length - ok));
  return `${target.pathname}${target.search}`;
}

export function bulkNotice(query: URLSearchParams): string | null {
  const describe = DONE[query.get('done') ?? ''];
  if (!describe) return null;
  const ok = Number(query.get('ok') ?? 0) || 0;
  const failed = Number(query.get('failed') ?? 0) || 0;
  return failed > 0 ? `${describe(ok)} ${failed} could not be changed: gone, or over the tag limit.` : describe(ok);
}
