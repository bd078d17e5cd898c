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

/** Enough of a file's start for every signature formatFromSignature knows. */
export const SIGNATURE_BYTES = 16;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

/**
 * The format a file's first bytes announce, or null when they match none of ours. A claim, not a
 * check: only decoding shows whether the rest of the file is what its start says.
 */
export function formatFromSignature(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'GIF';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'WEBP';
  // ISO BMFF: a box size, then "ftyp" and a brand of the AVIF family.
  if (startsWith(head, ascii('ftyp'), 4) && (startsWith(head, ascii('avif'), 8) || startsWith(head, ascii('avis'), 8))) return 'AVIF';
  return null;
}
