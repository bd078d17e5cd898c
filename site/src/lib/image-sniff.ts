// What the uploader accepts, checked when a file is chosen rather than after Upload: by its
// declared type (or its extension when the browser gives none) and by its first bytes, so a
// text file renamed to .png is refused as early as a .txt.

import { formatFromSignature, IMAGE_FORMATS, MIME_TYPES, SIGNATURE_BYTES } from '../../../graphql/shared/formats.ts';

const ACCEPTED_TYPES: readonly string[] = IMAGE_FORMATS.map((format) => MIME_TYPES[format]);
export const ACCEPTED_DESCRIPTION = 'JPEG, PNG, WebP, AVIF or GIF';
const ACCEPTED_EXTENSIONS = /\.(jpe?g|jfif|png|webp|avif|gif)$/i;

export function acceptedByType(file: { name: string; type: string }): boolean {
  if (file.type) return ACCEPTED_TYPES.includes(file.type);
  return ACCEPTED_EXTENSIONS.test(file.name);
}

/** True when the bytes begin like one of the accepted formats. */
export function looksLikeImage(head: Uint8Array): boolean {
  return formatFromSignature(head) !== null;
}

/** Why a chosen file cannot be uploaded, or null when it may be. */
export async function refusalOf(file: File): Promise<string | null> {
  if (!acceptedByType(file)) return `${file.name} is not a ${ACCEPTED_DESCRIPTION} image, so it was not added.`;
  const head = new Uint8Array(await file.slice(0, SIGNATURE_BYTES).arrayBuffer());
  if (!looksLikeImage(head))
    return `${file.name} is named like an image but its contents are not ${ACCEPTED_DESCRIPTION}, so it was not added.`;
  return null;
}
