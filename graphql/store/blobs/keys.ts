// Every adapter checks a key before it touches the disk or the bucket: a key of another shape was
// never issued by blobKeys, so it is a bug (or an attack on a path) and is refused, not stored.
import { BLOB_KEY_PATTERN } from '../ports.ts';

export class InvalidBlobKeyError extends Error {
  constructor(key: string) {
    super(`not a blob key: ${JSON.stringify(key.slice(0, 200))}`);
    this.name = 'InvalidBlobKeyError';
  }
}

export function assertBlobKey(key: string): string {
  if (typeof key !== 'string' || !BLOB_KEY_PATTERN.test(key)) throw new InvalidBlobKeyError(String(key));
  return key;
}

export function isBlobKey(key: string): boolean {
  return BLOB_KEY_PATTERN.test(key);
}

/** Blobs are listed in pages of this many, like one ListObjectsV2 answer. */
export const LIST_PAGE_SIZE = 1000;
