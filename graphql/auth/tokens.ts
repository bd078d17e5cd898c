// Access tokens: HS256 JWTs from jose with the algorithm pinned and every claim we rely on
// required, so that `alg: none`, foreign algorithms, missing `exp` and other issuers all fail.
import { hkdfSync, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'pixpress';
const AUDIENCE = 'pixpress-api';
const ALGORITHM = 'HS256';

/** A purpose-specific 256-bit key, so the token key and the file-URL key are never the same. */
export function deriveKey(secret: Uint8Array, purpose: 'access-token' | 'file-url' | 'preview-ticket' | 'share-link'): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'pixpress', purpose, 32));
}

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * `version` is the user's token version: a password change raises it and ends older tokens. Each
 * token has its own id (jti), so that logOut can end just that one.
 */
export async function signAccessToken(
  userId: string,
  key: Uint8Array,
  ttlSeconds: number,
  version = 0,
  now = new Date(),
): Promise<AccessToken> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({ ver: version })
    .setJti(randomUUID())
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

export interface VerifiedToken {
  userId: string;
  tokenId: string;
  version: number;
  expiresAt: Date;
}

/** What a valid token says, or null for anything else: a bad token means signed out. */
export async function verifyAccessToken(token: string, key: Uint8Array): Promise<VerifiedToken | null> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    const { sub, jti, exp, ver } = payload;
    if (typeof sub !== 'string' || sub === '' || typeof jti !== 'string' || jti === '' || typeof exp !== 'number') return null;
    if (ver !== undefined && !Number.isSafeInteger(ver)) return null;
    return { userId: sub, tokenId: jti, version: (ver as number | undefined) ?? 0, expiresAt: new Date(exp * 1000) };
  } catch {
    return null;
  }
}
