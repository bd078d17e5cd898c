// The records every backend stores: users, their images, and the compressions made of each image.

import type { ImageFormat } from '../shared/formats.ts';

// Defined in shared/formats.ts (the site uses them too); re-exported here for the imaging modules.
export type { ImageFormat };
export { FILE_EXTENSIONS, MIME_TYPES } from '../shared/formats.ts';

export interface UserRecord {
  id: string;
  username: string;
  /** Lower-cased username: uniqueness ignores case. */
  usernameKey: string;
  passwordHash: string;
  createdAt: string;
  /**
   * Tokens carry the version they were issued under; changing the password raises it, which ends
   * every session issued before.
   */
  tokenVersion: number;
}

export interface ImageRecord {
  id: string;
  userId: string;
  name: string;
  tags: string[];
  format: ImageFormat;
  mimeType: string;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
  bytes: number;
  /** Blob key of the original: `{userId}/{imageId}.{ext}` (see blobKeys). */
  file: string;
  thumbnailFile: string;
  thumbnailBytes: number;
  createdAt: string;
  updatedAt: string;
}

export interface CompressionRecord {
  id: string;
  imageId: string;
  userId: string;
  format: ImageFormat;
  mimeType: string;
  width: number;
  height: number;
  bytes: number;
  quality: number;
  ssim: number | null;
  /** Blob key: `{userId}/compressions/{compressionId}.{ext}`. */
  file: string;
  createdAt: string;
}
