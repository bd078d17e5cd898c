// A request's session: a valid token whose session has not ended. Tokens are stateless JWTs, so
// ending one is recorded beside the records: logOut revokes the token's id, and a password
// change raises the user's token version, which every older token carries a lower number of.
import type { Loaders } from '../store/loaders.ts';
import type { RecordStore } from '../store/ports.ts';
import { verifyAccessToken } from './tokens.ts';

export interface Session {
  userId: string;
  tokenId: string;
  expiresAt: Date;
}

export async function sessionFromToken(
  token: string | undefined,
  tokenKey: Uint8Array,
  records: RecordStore,
  loaders: Loaders,
): Promise<Session | null> {
  if (!token) return null;
  const verified = await verifyAccessToken(token, tokenKey);
  if (!verified) return null;
  const [user, revoked] = await Promise.all([loaders.user.load(verified.userId), records.isTokenRevoked(verified.tokenId)]);
  if (!user || revoked || user.tokenVersion !== verified.version) return null;
  return { userId: verified.userId, tokenId: verified.tokenId, expiresAt: verified.expiresAt };
}
