// Share links: a public URL for exactly one stored file of the caller's (an original or a
// compression), until it expires or is revoked. Removing the file or the account removes its
// links in the same unit of work (the store's job), so a link never outlives what it names.
import { randomUUID } from 'node:crypto';
import { NotFoundError, QuotaExceededError, ValidationError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { ShareLinkRecord } from '../store/records.ts';

export const MIN_SHARE_SECONDS = 60;
export const MAX_SHARE_SECONDS = 366 * 24 * 60 * 60;

export interface ShareTarget {
  compressionId?: string | null;
  imageId?: string | null;
}

/** A link record for a file the caller was checked to own; written by insertShareLinks. */
export function newShareLink(
  services: Services,
  userId: string,
  imageId: string,
  compressionId: string | null,
  expiresAt: Date | null,
): ShareLinkRecord {
  const id = randomUUID();
  const nonce = services.shareTokens.newNonce();
  return {
    id,
    userId,
    imageId,
    compressionId,
    nonce,
    tokenHash: services.shareTokens.hash(services.shareTokens.tokenOf({ id, nonce })),
    createdAt: new Date().toISOString(),
    expiresAt: expiresAt?.toISOString() ?? null,
  };
}

function expiryOf(expiresInSeconds: number | null | undefined): Date | null {
  if (expiresInSeconds == null) return null;
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < MIN_SHARE_SECONDS || expiresInSeconds > MAX_SHARE_SECONDS) {
    throw new ValidationError(
      `expiresInSeconds must be a whole number from ${MIN_SHARE_SECONDS} (a minute) to ${MAX_SHARE_SECONDS} (a year), or left out for a link that lasts until revoked.`,
      'expiresInSeconds',
    );
  }
  return new Date(Date.now() + expiresInSeconds * 1000);
}

export function shareLimitError(limit: number): QuotaExceededError {
  return new QuotaExceededError(`You have ${limit} share links, the most an account may hold; revoke some first.`, limit);
}

export async function createShareLink(
  services: Services,
  userId: string,
  target: ShareTarget,
  expiresInSeconds: number | null | undefined,
): Promise<ShareLinkRecord> {
  const { records, config } = services;
  const given = [target.compressionId, target.imageId].filter((id) => id != null);
  if (given.length !== 1)
    throw new ValidationError('Give exactly one of compressionId and imageId.', target.compressionId != null ? 'imageId' : 'compressionId');
  const expiresAt = expiryOf(expiresInSeconds);
  let link: ShareLinkRecord;
  if (target.compressionId != null) {
    const compression = await records.getCompression(userId, String(target.compressionId));
    if (!compression) throw new NotFoundError('No such compression.');
    link = newShareLink(services, userId, compression.imageId, compression.id, expiresAt);
  } else {
    const image = await records.getImage(userId, String(target.imageId));
    if (!image) throw new NotFoundError('No such image.');
    link = newShareLink(services, userId, image.id, null, expiresAt);
  }
  const outcome = await records.insertShareLinks(userId, [link], config.quotaShareLinks);
  if (outcome === 'missing') throw new NotFoundError('The file was deleted meanwhile.');
  if (outcome === 'limit') throw shareLimitError(config.quotaShareLinks);
  return link;
}
