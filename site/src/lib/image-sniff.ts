// What the uploader accepts, checked when a file is chosen rather than after Upload: by its
// declared type (or its extension when the browser gives none) and by its first bytes, so a
// text file renamed to .png is refused as early as a .txt.

import { IMAGE_FORMATS, MIME_TYPES } from '../../../graphql/shared/formats.ts';

const ACCEPTED_TYPES: readonly string[] = IMAGE_FORMATS.map((format) => MIME_TYPES[format]);
export const ACCEPTED_DESCRIPTION = 'JPEG, PNG, WebP, AVIF or GIF';
const ACCEPTED_EXTENSIONS = /\.(jpe?g|jfif|png|webp|avif|gif)$/i;

/** Enough of a file's start for every signature below. */
export const SNIFF_BYTES = 16;

export function acceptedByType(file: { name: string; type: string }): boolean {
  if (file.type) return ACCEPTED_TYPES.includes(file.type);
  return ACCEPTED_EXTENSIONS.test(file.name);
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return signature.every((byte, index) => bytes[offset + index] === byte);
}

const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

/** True when the bytes begin like one of the accepted formats. */
export function looksLikeImage(head: Uint8Array): boolean {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return true;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return true;
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return true;
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return true;
  // ISO BMFF: a box size, then "ftyp" and a brand of the AVIF family.
  return startsWith(head, ascii('ftyp'), 4) && (startsWith(head, ascii('avif'), 8) || startsWith(head, ascii('avis'), 8));
}

/** Why a chosen file cannot be uploaded, or null when it may be. */
export async function refusalOf(file: File): Promise<string | null> {
  if (!acceptedByType(file)) return `${file.name} is not a ${ACCEPTED_DESCRIPTION} image, so it was not added.`;
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  if (!looksLikeImage(head))
    return `${file.name} is named like an image but its contents are not ${ACCEPTED_DESCRIPTION}, so it was not added.`;
  return null;
}
