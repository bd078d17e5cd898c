// Access tokens: HS256 JWTs from jose with the algorithm pinned and every claim we rely on
// required, so that `alg: none`, foreign algorithms, missing `exp` and other issuers all fail.
import { hkdfSync } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'pixpress';
const AUDIENCE = 'pixpress-api';
const ALGORITHM = 'HS256';

/** A purpose-specific 256-bit key, so the token key and the file-URL key are never the same. */
export function deriveKey(secret: Uint8Array, purpose: 'access-token' | 'file-url'): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'pixpress', purpose, 32));
}

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

export async function signAccessToken(userId: string, key: Uint8Array, ttlSeconds: number, now = new Date()): Promise<AccessToken> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/** The user id a valid token names, or null for anything else: a bad token means signed out. */
export async function verifyAccessToken(token: string, key: Uint8Array): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
    });
    return typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
  } catch {
    return null;
  }
}
