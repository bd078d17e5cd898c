// Shared by the hardening suites: raw HTTP (for bodies and headers fetch will not send), a look at
// what is on disk, and the checks that every stored output is clean.
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import sharp from 'sharp';
import { SCRIPT_MARKERS } from '../../../scripts/bad-corpus.ts';
import type { DatabaseShape } from '../../store/embedded/document.ts';
import type { BlobStore } from '../../store/ports.ts';
import { imageFilesOf } from '../../store/records.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * Sends exactly the given headers and body. `content-length-override` declares a length the body
 * does not have; `transfer-encoding: chunked` sends the body in pieces without a length.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; timeoutMs?: number },
): Promise<RawResponse> {
  const started = performance.now();
  const headers = { ...options.headers };
  const override = headers['content-length-override'];
  delete headers['content-length-override'];
  const chunked = headers['transfer-encoding'] === 'chunked';
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  if (override) headers['content-length'] = override;
  else if (body && !chunked) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 20_000, () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 20_000} ms`)));
    // The server may answer and close before a body it refused is fully sent.
    req.on('error', (error) => reject(error));
    if (override) {
      req.flushHeaders();
      return;
    }
    if (body && chunked) {
      for (let offset = 0; offset < body.length; offset += 64 * 1024) req.write(body.subarray(offset, offset + 64 * 1024));
      req.end();
    } else {
      req.end(body);
    }
  });
}

/** Every file under the data folder, relative, including the temp folder. */
export async function filesOnDisk(dataDir: string): Promise<string[]> {
  const entries = await readdir(dataDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dataDir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Files db.json names (originals, thumbnails, display renditions, compressions). */
export function referencedFiles(db: DatabaseShape): string[] {
  const files: string[] = [];
  for (const images of Object.values(db.images)) {
    for (const image of Object.values(images)) files.push(...imageFilesOf(image));
  }
  for (const compressions of Object.values(db.compressions)) {
    for (const compression of Object.values(compressions)) files.push(compression.file);
  }
  return files.sort();
}

export async function readDatabase(dataDir: string): Promise<DatabaseShape> {
  return JSON.parse(await readFile(join(dataDir, 'db.json'), 'utf8')) as DatabaseShape;
}

/** Files that are not the database, the secret or a stored image: temp files and strays. */
export async function unexpectedFiles(dataDir: string, db: DatabaseShape): Promise<{ orphans: string[]; missing: string[] }> {
  const onDisk = (await filesOnDisk(dataDir)).filter((path) => path !== 'db.json' && path !== 'jwt-secret');
  const referenced = referencedFiles(db);
  const referencedSet = new Set(referenced);
  const onDiskSet = new Set(onDisk);
  return {
    orphans: onDisk.filter((path) => !referencedSet.has(path)),
    missing: referenced.filter((path) => !onDiskSet.has(path)),
  };
}

/** Problems with one output file: script bytes, EXIF/GPS/XMP/IPTC, or not an image at all. */
export async function outputProblems(bytes: Buffer): Promise<string[]> {
  const problems: string[] = [];
  const text = bytes.toString('latin1').toLowerCase();
  for (const marker of SCRIPT_MARKERS) if (text.includes(marker)) problems.push(`contains ${marker}`);
  if (bytes.includes('Exif\0\0', 0, 'latin1') || bytes.includes('GPSLatitude', 0, 'latin1')) problems.push('contains an EXIF block');
  try {
    const metadata = await sharp(bytes).metadata();
    if (metadata.exif) problems.push('has EXIF');
    if (metadata.xmp) problems.push('has XMP');
    if (metadata.iptc) problems.push('has IPTC');
  } catch (error) {
    problems.push(`does not decode: ${(error as Error).message}`);
  }
  return problems;
}

/** Every stored thumbnail, display rendition and compression, checked. */
export async function storedOutputProblems(blobs: BlobStore): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for await (const page of blobs.list()) {
    for (const { key } of page) {
      if (!/\/(thumbnails|renditions|compressions)\//.test(key)) continue;
      const problems = await outputProblems(await blobs.read(key));
      if (problems.length > 0) found[key] = problems;
    }
  }
  return found;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
