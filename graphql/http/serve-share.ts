// GET/HEAD /s/{token}: the public route of share links. Anyone with the URL gets the one file the
// link names, without signing in. The token must have the exact shape we issue before anything
// is looked up (no decoding, no path segments), and then it costs one lookup by its hash:
// unknown or revoked answers 404, expired 410. Bytes go through the same code as /files/.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FILE_EXTENSIONS, MIME_TYPES } from '../shared/formats.ts';
import { SHARE_PREFIX, SHARE_TOKEN_PATTERN, type ShareTokens } from '../sharing/share-tokens.ts';
import { cleanFileName } from '../store/blobs/content-disposition.ts';
import { StorageUnavailableError, type BlobStore, type RecordStore } from '../store/ports.ts';
import type { SharedFile } from '../store/records.ts';
import { sendBlob } from './serve-file.ts';

/**
 * How long a browser may keep a shared file without asking again. Short, because a revoked link
 * should stop working soon for those who already opened it too; `private`, so that no shared
 * cache (a CDN, a corporate proxy) keeps serving it after revocation.
 */
export const SHARE_CACHE_SECONDS = 60;

export function createShareHandler(records: RecordStore, blobs: BlobStore, tokens: ShareTokens) {
  return async function serveShare(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const token = (req.url ?? '/').split('?')[0]!.slice(SHARE_PREFIX.length);
    if (!SHARE_TOKEN_PATTERN.test(token)) return answer(res, 404, 'Not found.');
    let shared: SharedFile | undefined;
    try {
      shared = await records.findSharedFile(tokens.hash(token));
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) throw error;
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', 'cache-control': 'no-store' })
        .end('Storage is unavailable; try again shortly.\n');
      return;
    }
    if (!shared) return answer(res, 404, 'Not found.');
    const { link, image, compression } = shared;
    const secondsLeft = link.expiresAt === null ? Infinity : Math.floor((Date.parse(link.expiresAt) - Date.now()) / 1000);
    if (secondsLeft <= 0) return answer(res, 410, 'This link has expired.');
    const format = compression?.format ?? image.format;
    await sendBlob(req, res, blobs, compression?.file ?? image.file, {
      contentType: MIME_TYPES[format],
      cacheControl: `private, max-age=${Math.min(SHARE_CACHE_SECONDS, secondsLeft)}`,
      contentDisposition: contentDisposition(image.name, FILE_EXTENSIONS[format]),
    });
  };
}

function answer(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${message}\n`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f"\\/:*?<>|;%]+/g;

/**
 * inline, named after the image with the served format's extension: an ASCII name for old
 * clients and the full name in RFC 5987 form. Quotes, slashes and control characters never pass.
 */
export function contentDisposition(imageName: string, extension: string): string {
  // cleanFileName first: the control and bidi-override characters /files/ downloads refuse.
  const base =
    cleanFileName(imageName)
      .replace(/\.[A-Za-z0-9]{1,5}$/, '')
      .replace(UNSAFE_IN_NAMES, '_')
      .trim()
      .slice(0, 120) || 'image';
  const ascii =
    base
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]+/g, '_')
      .replace(/^[ .]+/, '') || 'image';
  const full = `${base}.${extension}`;
  return `inline; filename="${ascii}.${extension}"; filename*=UTF-8''${encodeURIComponent(full).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
