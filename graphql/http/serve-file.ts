// Serves /files/… for signed URLs: 403 for a bad or expired signature, 404 when the file is gone,
// 503 when the store does not answer, otherwise the bytes (from whichever BlobStore holds them)
// with headers that keep a browser from treating them as anything but an image.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentTypeOfExtension } from '../shared/formats.ts';
import { BLOB_KEY_PATTERN, StorageUnavailableError, type BlobStat, type BlobStore } from '../store/ports.ts';
import { FILES_PREFIX, type UrlSigner } from './signed-urls.ts';

/** Seconds a client is asked to wait when the store did not answer. */
const RETRY_AFTER_SECONDS = 5;

export function createFileHandler(blobs: BlobStore, signer: UrlSigner) {
  return async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    let relativePath: string;
    try {
      relativePath = decodeURIComponent(url.pathname.slice(FILES_PREFIX.length));
    } catch {
      relativePath = '';
    }
    const verdict = signer.verify(relativePath, url.searchParams.get('exp'), url.searchParams.get('sig'));
    // Ids are UUIDs and extensions are ours: a key of any other shape was never issued.
    const format = BLOB_KEY_PATTERN.exec(relativePath)?.[1];
    if (verdict !== 'ok' || !format) {
      res
        .writeHead(403, { 'content-type': 'text/plain; charset=utf-8' })
        .end(verdict === 'expired' ? 'This link has expired.\n' : 'Invalid link.\n');
      return;
    }
    const secondsLeft = Math.max(0, Number(url.searchParams.get('exp')) - Math.floor(Date.now() / 1000));
    await sendBlob(req, res, blobs, relativePath, {
      contentType: contentTypeOfExtension(format)!,
      cacheControl: `private, max-age=${secondsLeft}`,
    });
  };
}

export interface BlobResponse {
  contentType: string;
  cacheControl: string;
  contentDisposition?: string;
}

/**
 * The bytes of one stored file, for GET and HEAD, with headers that keep a browser from treating
 * them as anything but an image: 404 when the blob is gone, 503 when the store does not answer.
 */
export async function sendBlob(
  req: IncomingMessage,
  res: ServerResponse,
  blobs: BlobStore,
  key: string,
  headers: BlobResponse,
): Promise<void> {
  // HEAD asks the store for size and date only: with a bucket, GetObject would start sending the
  // body just to be dropped.
  let blob: BlobStat | undefined;
  let body: Readable | undefined;
  try {
    if (req.method === 'HEAD') blob = await blobs.stat(key);
    else {
      const opened = await blobs.open(key);
      blob = opened;
      body = opened?.stream;
    }
  } catch (error) {
    if (!(error instanceof StorageUnavailableError)) throw error;
    res
      .writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(RETRY_AFTER_SECONDS) })
      .end('Storage is unavailable; try again shortly.\n');
    return;
  }
  if (!blob) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n');
    return;
  }
  res.writeHead(200, {
    'content-type': headers.contentType,
    'content-length': blob.size,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': headers.cacheControl,
    'last-modified': blob.lastModified.toUTCString(),
    ...(headers.contentDisposition ? { 'content-disposition': headers.contentDisposition } : {}),
  });
  if (!body) {
    res.end();
    return;
  }
  await pipeline(body, res).catch(() => res.destroy());
}
