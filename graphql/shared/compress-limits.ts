// The bounds of CompressOptions: the API refuses outside them, the site checks them before sending.

export const MAX_OUTPUT_SIDE = 16_384;
export const MIN_QUALITY = 1;
export const MAX_QUALITY = 100;
export const DEFAULT_QUALITY = 80;
/** What AUTO aims for when no target is given: hard to tell from the original at a glance. */
export const AUTO_DEFAULT_TARGET_SSIM = 0.98;
export const MIN_TARGET_SSIM = 0.5;
export const MAX_TARGET_SSIM = 0.9999;
export const MIN_MAX_BYTES = 1024;
/** compressImages per call: each is a full encode (a target may take several), so a call stays well under a request's patience. */
export const MAX_COMPRESS_IMAGES = 20;
