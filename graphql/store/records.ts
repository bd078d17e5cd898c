// The shape of db.json, as in the original design: records keyed by id, children nested under
// their parent's id so that a user's images and an image's compressions are one lookup away.

export type ImageFormat = 'JPEG' | 'PNG' | 'WEBP' | 'AVIF' | 'GIF';

export interface UserRecord {
  id: string;
  username: string;
  /** Lower-cased username: uniqueness ignores case. */
  usernameKey: string;
  passwordHash: string;
  createdAt: string;
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
  /** Relative to DATA_DIR: `{userId}/{file}`. */
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
  /** Relative to DATA_DIR: `{userId}/compressions/{file}`. */
  file: string;
  createdAt: string;
}

export interface DatabaseShape {
  users: Record<string, UserRecord>;
  images: Record<string, Record<string, ImageRecord>>;
  compressions: Record<string, Record<string, CompressionRecord>>;
}

export function emptyDatabase(): DatabaseShape {
  return { users: {}, images: {}, compressions: {} };
}

export const MIME_TYPES: Record<ImageFormat, string> = {
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  WEBP: 'image/webp',
  AVIF: 'image/avif',
  GIF: 'image/gif',
};

export const FILE_EXTENSIONS: Record<ImageFormat, string> = {
  JPEG: 'jpg',
  PNG: 'png',
  WEBP: 'webp',
  AVIF: 'avif',
  GIF: 'gif',
};
