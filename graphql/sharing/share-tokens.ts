// The secret part of a share link's URL. It is derived, never stored: HMAC-SHA256 of the link's
// id and random nonce under a key derived from the server's secret. The records keep only the
// token's SHA-256, which is what the public route looks up; someone who reads the database
// cannot rebuild a working URL, and the owner's list can still show each link's URL.
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';

export const SHARE_PREFIX = '/s/';
/** 32 bytes in base64url: what tokenOf() makes. Anything else is refused before any lookup. */
export const SHARE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ShareTokens {
  tokenOf(link: { id: string; nonce: string }): string;
  hash(token: string): string;
  /** 128 random bits, hex, for a new link. */
  newNonce(): string;
}

export function createShareTokens(key: Uint8Array): ShareTokens {
  const secretKey = createSecretKey(key);
  return {
    tokenOf: ({ id, nonce }) => createHmac('sha256', secretKey).update(`${id}\n${nonce}`).digest('base64url'),
    hash: (token) => createHash('sha256').update(token).digest('hex'),
    newNonce: () => randomBytes(16).toString('hex'),
  };
}

export function shareUrl(origin: string, token: string): string {
  return `${origin}${SHARE_PREFIX}${token}`;
}
