// Image formats, their MIME types and file extensions: one list for the API, the stores and the
// site. Pure and dependency-free, so the site's islands can import it without server code.

/** What an original may be. GIF is accepted (its first frame) but never produced. */
export const IMAGE_FORMATS = ['JPEG', 'PNG', 'WEBP', 'AVIF', 'GIF'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** What a compression can produce. */
export const OUTPUT_FORMATS = ['JPEG', 'PNG', 'WEBP', 'AVIF'] as const satisfies readonly ImageFormat[];
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What a compression may be asked for: a format, or AUTO (the smallest that meets the target). */
export type RequestedFormat = OutputFormat | 'AUTO';

export const MIME_TYPES = {
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  WEBP: 'image/webp',
  AVIF: 'image/avif',
  GIF: 'image/gif',
} as const satisfies Record<ImageFormat, string>;

export const FILE_EXTENSIONS = {
  JPEG: 'jpg',
  PNG: 'png',
  WEBP: 'webp',
  AVIF: 'avif',
  GIF: 'gif',
} as const satisfies Record<ImageFormat, string>;

/** A stored file's extension ('jpg') -> the Content-Type it is served with. */
export function contentTypeOfExtension(extension: string): string | undefined {
  const format = IMAGE_FORMATS.find((candidate) => FILE_EXTENSIONS[candidate] === extension);
  return format && MIME_TYPES[format];
}

/** For a file input's `accept`: every format an upload may be. */
export const ACCEPTED_IMAGE_TYPES = IMAGE_FORMATS.map((format) => MIME_TYPES[format]).join(',');
