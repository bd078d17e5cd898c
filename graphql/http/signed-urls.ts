// Short-lived URLs for stored files: /files/{path}?exp={unix seconds}&sig={HMAC-SHA256(path, exp)}.
// With a TTL of two minutes or more, expiries are rounded down to the minute so that a page loaded
// twice within a minute reuses the same URLs and the browser cache works; a URL never outlives
// the TTL.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

export const FILES_PREFIX = '/files/';
const ROUNDING_SECONDS = 60;

export interface UrlSigner {
  sign(relativePath: string, nowMs?: number): string;
  verify(relativePath: string, expires: string | null, signature: string | null, nowMs?: number): 'ok' | 'expired' | 'invalid';
}

/** When a URL signed now expires, in Unix seconds (what `exp` says; see the rounding above). */
export function signedUrlExpiry(ttlSeconds: number, nowMs = Date.now()): number {
  const exact = Math.floor(nowMs / 1000) + ttlSeconds;
  return ttlSeconds >= 2 * ROUNDING_SECONDS ? Math.floor(exact / ROUNDING_SECONDS) * ROUNDING_SECONDS : exact;
}

export function createUrlSigner(key: Uint8Array, ttlSeconds: number): UrlSigner {
  // A KeyObject made once: given raw bytes, createHmac first probes whether they are a KeyObject,
  // which costs more than the HMAC itself (over a quarter of a gallery query's CPU time).
  const secretKey = createSecretKey(key);
  const mac = (path: string, expires: string) => createHmac('sha256', secretKey).update(`${path}\n${expires}`).digest();

  return {
    sign(relativePath, nowMs = Date.now()) {
      const expires = signedUrlExpiry(ttlSeconds, nowMs);
      const signature = mac(relativePath, String(expires)).toString('base64url');
      const encodedPath = relativePath.split('/').map(encodeURIComponent).join('/');
      return `${FILES_PREFIX}${encodedPath}?exp=${expires}&sig=${signature}`;
    },
    verify(relativePath, expires, signature, nowMs = Date.now()) {
      if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return 'invalid';
      // The signature's one canonical text is compared, not the bytes it decodes to: Node's
      // base64url decoder also takes padding, `+/`, other unused low bits in the last character
      // and trailing junk, so several URLs would carry one signature.
      const given = Buffer.from(signature, 'latin1');
      const expected = Buffer.from(mac(relativePath, expires).toString('base64url'), 'latin1');
      // Length first: timingSafeEqual throws on unequal lengths; the length is public anyway.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
      if (Number(expires) * 1000 <= nowMs) return 'expired';
      return 'ok';
    },
  };
}
