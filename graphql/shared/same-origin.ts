// Cross-site form posts are refused (login CSRF, forced logout or delete). Astro's own check
// compares Origin with the URL it built from the socket, which is http:// behind a TLS proxy and
// would refuse every form there; this one knows whether the browser talks https to us
// (locals.requestIsHttps honours TRUST_PROXY). The site's middleware and the ZIP download route use it.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isCrossSitePost(method: string, headers: Headers, requestIsHttps: boolean): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  const host = headers.get('host');
  if (!host) return true;
  const expected = `${requestIsHttps ? 'https' : 'http'}://${host}`.toLowerCase();
  const origin = headers.get('origin');
  if (origin && origin !== 'null') return origin.toLowerCase() !== expected;
  // Browsers send Origin on every POST; without one, fall back to the Referer's origin.
  const referer = headers.get('referer');
  if (!referer) return true;
  try {
    return new URL(referer).origin.toLowerCase() !== expected;
  } catch {
    return true;
  }
}
