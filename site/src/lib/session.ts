// The session cookie's options (its name, SESSION_COOKIE, is in graphql/shared/http.ts: the API
// reads the same cookie).

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  path: '/';
  secure: boolean;
  maxAge: number;
}

export function sessionCookieOptions(expiresAt: string, secure: boolean, now: number = Date.now()): SessionCookieOptions {
  const maxAge = Math.max(0, Math.floor((Date.parse(expiresAt) - now) / 1000));
  return { httpOnly: true, sameSite: 'lax', path: '/', secure, maxAge };
}

/**
 * Where to go after logging in: a path on this site only. `next` is parsed as a URL against a
 * placeholder origin, as the browser will resolve the redirect, so every trick that leaves the
 * origin (`//host`, `/\\host`, tabs or newlines the URL parser drops, `https:`…) shows up as another
 * origin and falls back to `/`. What is returned is the URL parser's own serialisation: control
 * characters arrive percent-encoded, never raw in a Location header.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next?.startsWith('/')) return '/';
  const base = 'http://pixpress.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  const target = `${url.pathname}${url.search}${url.hash}`;
  // A path that normalised to start with two slashes would read as another host next time.
  return /^\/[/\\]/.test(target) ? '/' : target;
}
