// POST /downloads/zip: the gallery's "Download selected", one ZIP of the caller's images (each
// original, or each image's newest compression), streamed as it is built. A plain form post from
// the site: the session cookie says who asks and, as for the site's own forms, a post from another
// origin is refused. Files are stored, not deflated (images are compressed already), and read one
// at a time as the archive reaches them, so neither the archive nor a file is held in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { sessionFromToken } from '../auth/sessions.ts';
import type { Services } from '../services.ts';
import { SESSION_COOKIE } from '../shared/http.ts';
import { isCrossSitePost } from '../shared/same-origin.ts';
import { createLoaders } from '../store/loaders.ts';
import type { ImageRecord } from '../store/records.ts';
import type { ClientAddressing } from './client-address.ts';
import { compressionDownloadName, originalDownloadName } from './download-names.ts';
import { readCookie } from './request-context.ts';
import { SITE_MAX_BODY_BYTES } from './request-guard.ts';

export const ZIP_PATH = '/downloads/zip';
/** Images per archive, as for the other bulk actions. */
export const MAX_ZIP_IMAGES = 100;
/** Bytes of files per archive: a download that would take hours is better split. */
export const MAX_ZIP_BYTES = 2 * 1024 ** 3;
export const ZIP_CONTENTS = ['originals', 'newest'] as const;
export type ZipContents = (typeof ZIP_CONTENTS)[number];

interface ZipEntry {
  name: string;
  key: string;
  bytes: number;
  modified: Date;
}

export function createZipHandler(services: Services, addressing: ClientAddressing) {
  return async function serveZip(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return plain(res, 405, 'Use POST.\n', { allow: 'POST' });
    const headers = new Headers(Object.entries(req.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])));
    if (isCrossSitePost('POST', headers, requestIsHttps(req, addressing)))
      return plain(res, 403, 'Cross-site form submissions are refused.\n');
    const loaders = createLoaders(services.records);
    const session = await sessionFromToken(readCookie(headers.get('cookie'), SESSION_COOKIE), services.tokenKey, services.records, loaders);
    if (!session) return plain(res, 401, 'Sign in to download images.\n');

    const body = await readForm(req);
    if (!body) return plain(res, 413, 'The form is too large.\n');
    const ids = [...new Set(body.getAll('ids'))];
    const contents = body.get('include') ?? 'originals';
    if (!(ZIP_CONTENTS as readonly string[]).includes(contents)) return plain(res, 400, 'Choose originals or the newest compressions.\n');
    if (ids.length === 0) return plain(res, 400, 'Choose at least one image.\n');
    if (ids.length > MAX_ZIP_IMAGES) return plain(res, 400, `At most ${MAX_ZIP_IMAGES} images at once.\n`);

    const entries = await entriesOf(services, session.userId, ids, contents as ZipContents);
    // Unknown ids, other users' ids and (for compressions) images without one are all left out
    // alike, so the answer says nothing about ids that are not the caller's.
    if (entries.length === 0)
      return plain(res, 404, contents === 'newest' ? 'None of these images has a compression.\n' : 'None of these images was found.\n');
    if (entries.reduce((sum, entry) => sum + entry.bytes, 0) > MAX_ZIP_BYTES) {
      return plain(res, 413, `Those files come to more than ${MAX_ZIP_BYTES / 1024 ** 3} GiB; download fewer at a time.\n`);
    }
    await sendZip(services, res, entries, ids.length - entries.length);
  };
}

async function entriesOf(services: Services, userId: string, ids: readonly string[], contents: ZipContents): Promise<ZipEntry[]> {
  const images: ImageRecord[] = [];
  for (const id of ids) {
    const image = await services.records.getImage(userId, id);
    if (image) images.push(image);
  }
  const compressions = contents === 'newest' ? await services.records.listCompressions(images.map((image) => image.id)) : null;
  const entries: Array<Omit<ZipEntry, 'name'> & { wanted: string }> = [];
  for (const image of images) {
    if (!compressions) {
      entries.push({ wanted: originalDownloadName(image), key: image.file, bytes: image.bytes, modified: new Date(image.createdAt) });
      continue;
    }
    const newest = compressions.get(image.id)?.[0];
    if (newest)
      entries.push({
        wanted: compressionDownloadName(image, newest),
        key: newest.file,
        bytes: newest.bytes,
        modified: new Date(newest.createdAt),
      });
  }
  const names = distinctNames(entries.map((entry) => safeEntryName(entry.wanted)));
  return entries.map(({ wanted: _wanted, ...entry }, index) => ({ ...entry, name: names[index]! }));
}

async function sendZip(services: Services, res: ServerResponse, entries: readonly ZipEntry[], skipped: number): Promise<void> {
  const zip = new ZipFile();
  let aborted = false;
  let reading: Readable | null = null;
  res.once('close', () => {
    if (res.writableFinished) return;
    // The client went away: stop reading the current file and open no further ones.
    aborted = true;
    reading?.destroy();
  });
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.name, { compress: false, size: entry.bytes, mtime: entry.modified }, (callback) => {
      if (aborted) return callback(new Error('The download was cancelled.'), undefined as never);
      services.blobs.open(entry.key).then(
        (blob) => {
          if (!blob) return callback(new Error(`A file is missing from the store: ${entry.name}.`), undefined as never);
          reading = blob.stream;
          if (aborted) blob.stream.destroy();
          callback(null, blob.stream);
        },
        (error: Error) => callback(error, undefined as never),
      );
    });
  }
  zip.end();
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="pixpress-${new Date().toISOString().slice(0, 10)}.zip"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-pixpress-skipped': String(skipped),
  });
  // A file that cannot be read mid-way leaves a truncated archive: the connection is cut rather
  // than ended, so the browser reports a failed download instead of saving a broken ZIP.
  zip.outputStream.on('error', () => res.destroy());
  await pipeline(zip.outputStream, res).catch(() => {
    aborted = true;
    reading?.destroy();
    res.destroy();
  });
}

/**
 * A name that is one plain file wherever the ZIP is unpacked: no folders (so no `../`), no
 * characters Windows refuses, no control characters, no leading dots, not too long.
 */
export function safeEntryName(name: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot).replace(/[^.a-z0-9]/gi, '') : '';
  const stem = (dot > 0 ? name.slice(0, dot) : name)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, '_')
    .replace(/^[.\s_]+/, '')
    .replace(/[.\s]+$/, '')
    .slice(0, 120);
  return `${stem || 'image'}${extension}`;
}

/** Case-insensitively distinct ("a.jpg", "A.jpg" -> "a.jpg", "A (2).jpg"): some file systems fold case. */
export function distinctNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    const dot = name.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
    let candidate = name;
    for (let count = 2; seen.has(candidate.toLowerCase()); count++) candidate = `${stem} (${count})${extension}`;
    seen.add(candidate.toLowerCase());
    return candidate;
  });
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > SITE_MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function requestIsHttps(req: IncomingMessage, addressing: ClientAddressing): boolean {
  const forwardedProto = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]!
    .trim()
    .toLowerCase();
  return Boolean((req.socket as { encrypted?: boolean }).encrypted) || (addressing.peerIsTrustedProxy(req) && forwardedProto === 'https');
}

function plain(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extra }).end(message);
}
