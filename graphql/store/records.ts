// The records every backend stores: users, their images, and the compressions made of each image.

import type { ImageFormat, RequestedFormat } from '../shared/formats.ts';

// Defined in shared/formats.ts (the site uses them too); re-exported here for the imaging modules.
export type { ImageFormat };
export { FILE_EXTENSIONS, MIME_TYPES } from '../shared/formats.ts';
import type { PhotoFacts } from '../imaging/photo-facts.ts';

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
  /**
   * Blob key of the display rendition (WebP, at most DISPLAY_MAX_WIDTH px wide) that pages show
   * instead of the original; null when the original is no bigger (or was stored before renditions).
   * Like the thumbnail it counts against no quota.
   */
  displayFile: string | null;
  /** What the original's metadata said of it at upload (the stored files keep no metadata). */
  photoFacts: PhotoFacts | null;
  createdAt: string;
  updatedAt: string;
}

/** Every file an image record names besides its compressions: what goes when the image goes. */
export function imageFilesOf(image: Pick<ImageRecord, 'file' | 'thumbnailFile' | 'displayFile'>): string[] {
  return image.displayFile ? [image.file, image.thumbnailFile, image.displayFile] : [image.file, image.thumbnailFile];
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
  /** What the compression was asked for; absent on compressions stored before options were kept. */
  options?: CompressionSettings | null;
}

export type FitMode = 'INSIDE' | 'COVER' | 'CONTAIN' | 'FILL';
export type Focus = 'CENTER' | 'ATTENTION' | 'ENTROPY';

/** A rectangle of the original as displayed (after EXIF orientation). */
export interface CropRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Edits before resizing, with every default filled in (see imaging/transform.ts). */
export interface TransformSettings {
  crop: CropRect | null;
  rotate: 0 | 90 | 180 | 270;
  flip: boolean;
  flop: boolean;
  brightness: number;
  saturation: number;
  hue: number;
  grayscale: boolean;
  sharpen: number | null;
  blur: number | null;
  focus: Focus;
  /** '#rrggbb', or null: CONTAIN pads with transparency and JPEG's matte is white. */
  background: string | null;
}

/** The options a compression was made with, as checked (defaults filled in). */
export interface CompressionSettings {
  width: number | null;
  height: number | null;
  fit: FitMode;
  /** What was asked for: AUTO, or a concrete format (the original's when none was named). */
  format: RequestedFormat;
  /** Exactly one of the three is set: the goal the quality was chosen by. */
  quality: number | null;
  targetSsim: number | null;
  maxBytes: number | null;
  effort: 'FAST' | 'BALANCED' | 'SMALLEST';
  transform: TransformSettings | null;
}

/**
 * A public link to one stored file: an original (compressionId null) or one of its compressions.
 * The token in the URL is never stored: it is derived from the id and nonce with the server's
 * key (sharing/share-tokens.ts), and only its SHA-256 is kept, for the lookup.
 */
export interface ShareLinkRecord {
  id: string;
  userId: string;
  imageId: string;
  compressionId: string | null;
  /** Hex SHA-256 of the token. */
  tokenHash: string;
  /** Random hex, mixed into the token so that it does not rest on the id's randomness alone. */
  nonce: string;
  createdAt: string;
  /** null: until revoked. */
  expiresAt: string | null;
}

/** A share link with the file it names, as the public route needs them. */
export interface SharedFile {
  link: ShareLinkRecord;
  image: ImageRecord;
  compression: CompressionRecord | null;
}

/** Compression options a user saved under a name; the shape of CompressOptions without nulls. */
export interface PresetOptions {
  width?: number;
  height?: number;
  format?: RequestedFormat;
  quality?: number;
  targetSsim?: number;
  maxBytes?: number;
  effort?: 'FAST' | 'BALANCED' | 'SMALLEST';
  fit?: FitMode;
  /**
   * Edits with defaults filled in; never a crop (a crop is in pixels of one original, so it
   * means nothing for another). Absent when the preset changes nothing.
   */
  transform?: PresetTransform;
}

/** A preset's edits: TransformSettings without the crop. */
export type PresetTransform = Omit<TransformSettings, 'crop'>;

export interface PresetRecord {
  id: string;
  userId: string;
  name: string;
  /** Lower-cased name: one preset per name, ignoring case. */
  nameKey: string;
  options: PresetOptions;
  createdAt: string;
  updatedAt: string;
}
