// What a client checking our compressions would do on its own: decode the bytes, tell the format
// from the magic bytes, and re-measure SSIM with the ssim.js package itself (not our port of it).
import sharp from 'sharp';
import { ssim as ssimJs } from 'ssim.js';
import { uploadImage, type TestServer } from './harness.ts';

const COMMON = `
  __typename
  ... on Error { code message }
  ... on ValidationError { field }
  ... on InvalidTransformError { field }
`;
const STORED = `... on Compression { id format mimeType width height bytes quality ssim savings createdAt url base64 image { id bytes } }`;
const RETURNED = `... on CompressedFile { format mimeType width height bytes quality ssim originalBytes savings base64 }`;

export const COMPRESS_IMAGE = `mutation($imageId: ID!, $options: CompressOptions!) {
  compressImage(imageId: $imageId, options: $options) { ${COMMON} ${STORED} ... on QuotaExceededError { limit } }
}`;

export const PREVIEW = `query($imageId: ID!, $options: CompressOptions!) {
  previewCompression(imageId: $imageId, options: $options) { ${COMMON} ${RETURNED} }
}`;

export const COMPRESS_UPLOAD = `mutation($file: Upload!, $options: CompressOptions!) {
  compressUpload(file: $file, options: $options) { ${COMMON} ${RETURNED} ... on FileTooLargeError { maxBytes maxPixels } }
}`;

export type Result = Record<string, any>;

export async function compressStored(
  server: TestServer,
  token: string,
  imageId: string,
  options: Record<string, unknown>,
): Promise<Result> {
  const response = await server.gql(COMPRESS_IMAGE, { imageId, options }, token);
  if (!response.data?.compressImage) throw new Error(`compressImage failed: ${JSON.stringify(response.errors)}`);
  return response.data.compressImage;
}

export async function preview(server: TestServer, token: string, imageId: string, options: Record<string, unknown>): Promise<Result> {
  const response = await server.gql(PREVIEW, { imageId, options }, token);
  if (!response.data?.previewCompression) throw new Error(`previewCompression failed: ${JSON.stringify(response.errors)}`);
  return response.data.previewCompression;
}

export async function compressOneShot(
  server: TestServer,
  token: string,
  data: Uint8Array,
  options: Record<string, unknown>,
  filename = 'photo.jpg',
): Promise<Result> {
  const response = await server.multipart(COMPRESS_UPLOAD, { file: null, options }, { file: { data, filename } }, token);
  if (!response.data?.compressUpload) throw new Error(`compressUpload failed: ${JSON.stringify(response.errors)}`);
  return response.data.compressUpload;
}

export async function storeImage(server: TestServer, token: string, data: Uint8Array, filename = 'photo.jpg'): Promise<string> {
  const image = await uploadImage(server, token, data, filename);
  if (image.__typename !== 'Image') throw new Error(`upload failed: ${JSON.stringify(image)}`);
  return image.id;
}

/** The format by magic bytes, as `file(1)` would tell it. */
export function sniffFormat(data: Uint8Array): string | null {
  const ascii = (start: number, end: number) => String.fromCharCode(...data.subarray(start, end));
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'JPEG';
  if (ascii(1, 4) === 'PNG' && data[0] === 0x89) return 'PNG';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WEBP';
  if (ascii(4, 8) === 'ftyp' && ascii(8, 12) === 'avif') return 'AVIF';
  return null;
}

/**
 * SSIM of an output to the original, the way: the original oriented and resized to the
 * output size (lanczos3), both on a white background, compared by ssim.js with downsample off.
 */
export async function independentSsim(original: Uint8Array, output: Uint8Array): Promise<number> {
  const decoded = await sharp(output).flatten({ background: '#ffffff' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const reference = await sharp(original)
    .autoOrient()
    .resize(decoded.info.width, decoded.info.height, { fit: 'fill', kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .ensureAlpha()
    .raw()
    .toBuffer();
  const image = (data: Buffer) => ({ data: new Uint8ClampedArray(data), width: decoded.info.width, height: decoded.info.height });
  return ssimJs(image(reference), image(decoded.data), { downsample: false }).mssim;
}
