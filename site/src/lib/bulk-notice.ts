// What the gallery says after a bulk action: the action posts, the page redirects back to the same
// view with counts in the URL (never text, so a link cannot make the page say anything else).

const DONE: Record<string, (count: number) => string> = {
  delete: (count) => `Deleted ${count} ${count === 1 ? 'image' : 'images'}.`,
  'tag-add': (count) => `Added the tag to ${count} ${count === 1 ? 'image' : 'images'}.`,
  'tag-remove': (count) => `Removed the tag from ${count} ${count === 1 ? 'image' : 'images'}.`,
  compress: (count) => `Compressed ${count} ${count === 1 ? 'image' : 'images'}.`,
};

/** Why a compression was not made, by result type: counted separately in the URL. */
const COMPRESS_FAILURES: Record<string, string> = {
  QuotaExceededError: 'quota',
  NotFoundError: 'gone',
  TargetUnreachableError: 'unreachable',
};
const FAILURE_TEXT: Record<string, (count: number) => string> = {
  quota: (count) => `${count} over the compression quota`,
  gone: (count) => `${count} gone`,
  unreachable: (count) => `${count} could not reach the target`,
  other: (count) => `${count} could not be compressed with these options`,
};

export function bulkRedirect(current: URL, action: string, results: ReadonlyArray<{ __typename: string }>): string {
  const target = new URL(current);
  for (const key of ['done', 'ok', 'failed', ...Object.keys(FAILURE_TEXT)]) target.searchParams.delete(key);
  const done = (result: { __typename: string }) => ['Deleted', 'Image', 'Compression'].includes(result.__typename);
  const ok = results.filter(done).length;
  target.searchParams.set('done', action);
  target.searchParams.set('ok', String(ok));
  if (results.length > ok) target.searchParams.set('failed', String(results.length - ok));
  if (action === 'compress') {
    const counts = new Map<string, number>();
    for (const result of results.filter((result) => !done(result))) {
      const kind = COMPRESS_FAILURES[result.__typename] ?? 'other';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    for (const [kind, count] of counts) target.searchParams.set(kind, String(count));
  }
  return `${target.pathname}${target.search}`;
}

export function bulkNotice(query: URLSearchParams): string | null {
  const describe = DONE[query.get('done') ?? ''];
  if (!describe) return null;
  const ok = Number(query.get('ok') ?? 0) || 0;
  const failed = Number(query.get('failed') ?? 0) || 0;
  if (failed === 0) return describe(ok);
  if (query.get('done') === 'compress') {
    const reasons = Object.entries(FAILURE_TEXT)
      .map(([kind, text]) => [Number(query.get(kind) ?? 0) || 0, text] as const)
      .filter(([count]) => count > 0)
      .map(([count, text]) => text(count));
    return `${describe(ok)} Not compressed: ${reasons.length > 0 ? reasons.join(', ') : failed}.`;
  }
  return `${describe(ok)} ${failed} could not be changed: gone, or over the tag limit.`;
}
