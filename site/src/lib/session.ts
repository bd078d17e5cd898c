// The session cookie the site sets on log-in: the API reads the same cookie (graphql/app.ts).
export const SESSION_COOKIE = 'pixpress_session';

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

/** Where to go after logging in: a path on this site only, never another origin. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
