// GraphQL multipart requests, streamed by graphql-upload-minimal from the raw Node request (Yoga's
// own parser would buffer whole files in memory). Yoga runs with `multipart: false`; this plugin
// installs the parser for multipart POSTs, and receiveUpload() streams a file to a temp path with
// the byte limit enforced as the bytes arrive.
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { processRequest, Upload, type FileUpload } from 'graphql-upload-minimal';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { FileTooLargeError, ValidationError } from '../errors.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';
import { SIGNATURE_BYTES } from '../shared/formats.ts';

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
}

/** Most files one request may carry (aliased mutations); each is still bounded by maxBytes. */
const MAX_FILES_PER_REQUEST = 10;
/** Room for the operations and map fields and the multipart framing around the files. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
/** Uploads reach the disk in writes of about this size. */
const WRITE_BATCH_BYTES = 1024 * 1024;

interface NodeServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
}

export function useStreamingUploads(limits: UploadLimits): Plugin {
  return {
    onRequestParse({ request, serverContext, setRequestParser }) {
      const contentType = request.headers.get('content-type') ?? '';
      if (request.method !== 'POST' || !contentType.toLowerCase().startsWith('multipart/form-data')) return;

      const declaredLength = Number(request.headers.get('content-length') ?? 0);
      if (declaredLength > limits.maxBytes * MAX_FILES_PER_REQUEST + MULTIPART_OVERHEAD_BYTES) {
        throw payloadTooLarge(`The request body is larger than ${limits.maxBytes} bytes per file allows.`);
      }

      setRequestParser(async () => {
        const { req, res } = nodeStreams(request, serverContext as NodeServerContext);
        const mapProblem = watchMap(req, contentType);
        try {
          // processRequest only listens on the response when there is one.
          const operations = await processRequest(req, res as ServerResponse, {
            maxFileSize: limits.maxBytes,
            maxFiles: MAX_FILES_PER_REQUEST,
            maxFieldSize: MULTIPART_OVERHEAD_BYTES,
          });
          const problem = mapProblem();
          if (problem) {
            // Nothing will read the files: let the rest of the body flow past and be dropped.
            req.unpipe();
            req.resume();
            throw Object.assign(new Error(problem), { status: 400 });
          }
          // A file that no resolver reads would stall the rest of the body; drain it once the
          // response is out.
          res?.once('close', () => {
            drainUnread(operations);
            // Parts the parser holds back (a second file under one field name) would keep the
            // connection from ever reading on: once the answer is out, drop what is left.
            if (!req.readableEnded) {
              req.unpipe();
              req.resume();
            }
          });
          return operations as never;
        } catch (error) {
          // The parser blames itself (500) for a body with no fields at all: that is the client's.
          const reported = (error as { status?: number }).status ?? 400;
          const status = reported >= 500 ? 400 : reported;
          throw createGraphQLError((error as Error).message, {
            extensions: { code: status === 413 ? RequestErrorCodes.PAYLOAD_TOO_LARGE : RequestErrorCodes.BAD_REQUEST, http: { status } },
          });
        }
      });
    },
  };
}

/**
 * graphql-upload-minimal accepts a map that sends several files to one variable (the last wins;
 * the others are never read, so the request stalls behind them while holding a quota slot) and
 * paths that are not variables the operations set to null. The operations and map fields come
 * before any file, so they are read here as they stream past the parser, and judged once it has
 * seen them. Returns the problem, or null when the map is sound or could not be seen (the parser
 * reports malformed fields itself).
 *
 * Linear in the bytes received, however they are split: each chunk is appended once to one
 * growing buffer, the delimiter is searched for only in bytes not searched before, and each part
 * is decoded once when it is complete. (Re-joining and re-splitting everything received on each
 * chunk is quadratic: seconds of CPU for a body of a few MiB trickled in small writes.)
 */
function watchMap(req: IncomingMessage, contentType: string): () => string | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return () => null;
  // Parts are separated by CRLF--boundary; the body's first delimiter has no CRLF, so one is
  // put in front of the body.
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`, 'latin1');
  let buffer = Buffer.allocUnsafe(64 * 1024);
  let length = buffer.write('\r\n', 'latin1');
  let searchFrom = 0;
  let partStart = -1;
  const found: Record<string, string> = {};
  let fields: Record<string, string> | null = null;

  /** Takes one complete part; false once the fields are over (a file, the map, or the end). */
  const takePart = (part: Buffer): boolean => {
    if (part.subarray(0, 2).toString('latin1') === '--') return false;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) return false;
    const header = part.subarray(0, headerEnd).toString('latin1');
    if (/filename=/i.test(header)) return false;
    const name = /name="([^"]*)"/i.exec(header)?.[1];
    if (name) found[name] = part.subarray(headerEnd + 4).toString('utf8');
    return name !== 'map';
  };
  const finish = () => {
    fields = found;
    req.off('data', onData);
    buffer = Buffer.alloc(0);
  };
  const onData = (chunk: Buffer) => {
    if (length + chunk.length > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + chunk.length));
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
    length += chunk.copy(buffer, length);
    const received = buffer.subarray(0, length);
    let at: number;
    while ((at = received.indexOf(delimiter, searchFrom)) >= 0) {
      if (partStart >= 0 && !takePart(received.subarray(partStart, at))) return finish();
      partStart = at + delimiter.length;
      searchFrom = partStart;
    }
    // A delimiter may straddle this chunk and the next: search again only from where it could begin.
    searchFrom = Math.max(searchFrom, length - delimiter.length + 1);
    if (length > 3 * MULTIPART_OVERHEAD_BYTES) finish();
  };
  req.on('data', onData);
  return () => {
    req.off('data', onData);
    return fields && fields.operations !== undefined && fields.map !== undefined ? judgeMap(fields.operations, fields.map) : null;
  };
}

function judgeMap(operationsText: string, mapText: string): string | null {
  let operations: unknown;
  let map: unknown;
  try {
    operations = JSON.parse(operationsText);
    map = JSON.parse(mapText);
  } catch {
    return null;
  }
  if (!map || typeof map !== 'object' || Array.isArray(map)) return null;
  const targets = new Set<string>();
  for (const paths of Object.values(map)) {
    if (!Array.isArray(paths)) return null;
    for (const path of paths) {
      if (typeof path !== 'string') return null;
      if (targets.has(path)) return `The map sends several files to ${path}; send one file per variable.`;
      targets.add(path);
      const segments = path.split('.');
      const last = segments.pop()!;
      let node: unknown = operations;
      for (const segment of segments) {
        node = node && typeof node === 'object' && Object.hasOwn(node, segment) ? (node as Record<string, unknown>)[segment] : undefined;
      }
      if (!node || typeof node !== 'object' || !Object.hasOwn(node, last) || (node as Record<string, unknown>)[last] !== null) {
        return `The map names ${path}, which is not a variable the operations set to null.`;
      }
    }
  }
  return null;
}

function payloadTooLarge(message: string) {
  return createGraphQLError(message, { extensions: { code: RequestErrorCodes.PAYLOAD_TOO_LARGE, http: { status: 413 } } });
}

/** The raw Node request when there is one; otherwise (yoga.fetch, astro dev) a stream of the web body. */
function nodeStreams(request: Request, serverContext: NodeServerContext): { req: IncomingMessage; res: ServerResponse | undefined } {
  if (serverContext.req && !serverContext.req.readableEnded) return { req: serverContext.req, res: serverContext.res };
  if (!request.body) throw createGraphQLError('Empty multipart body.', { extensions: { http: { status: 400 } } });
  const stream = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>) as Readable & { headers: Record<string, string> };
  stream.headers = Object.fromEntries(request.headers.entries());
  return { req: stream as unknown as IncomingMessage, res: undefined };
}

function drainUnread(operations: unknown): void {
  const visit = (value: unknown): void => {
    if (value instanceof Upload) {
      value.promise.then(
        (file) => {
          try {
            file.createReadStream().resume();
          } catch {
            // Already read, or failed: nothing left to drain.
          }
        },
        () => {},
      );
    } else if (value && typeof value === 'object') {
      for (const child of Object.values(value)) visit(child);
    }
  };
  visit(operations);
}

export interface ReceivedFile {
  /** The client's file name: for display only, never part of a path. */
  filename: string;
  bytes: number;
  /** The file's first SIGNATURE_BYTES bytes (fewer for a shorter file): what format it claims to be. */
  head: Buffer;
}

/**
 * Streams an upload to `tempPath`. Over the byte limit the stream is destroyed (graphql-upload-minimal
 * only unpipes it, which would leave the request hanging) and the partial file removed.
 */
export async function receiveUpload(upload: Promise<FileUpload>, tempPath: string, limits: UploadLimits): Promise<ReceivedFile> {
  const tooLarge = () => new FileTooLargeError(`The file is larger than ${limits.maxBytes} bytes.`, limits);
  let file: FileUpload;
  let source: Readable;
  try {
    file = await upload;
    source = file.createReadStream();
  } catch (error) {
    throw (error as { status?: number }).status === 413
      ? tooLarge()
      : new ValidationError(`The upload failed: ${(error as Error).message}`, 'file');
  }
  let overLimit = false;
  source.once('limit', () => {
    overLimit = true;
    source.destroy(tooLarge());
  });
  const sink = new BatchedFileSink(tempPath);
  try {
    await pipeline(source, sink);
  } catch (error) {
    await rm(tempPath, { force: true });
    if (overLimit || error instanceof FileTooLargeError) throw tooLarge();
    throw new ValidationError(`The upload was interrupted: ${(error as Error).message}`, 'file');
  }
  // Busboy marks a stream cut at the limit as truncated even when 'limit' fired before we listened.
  if ((source as Readable & { truncated?: boolean }).truncated || sink.bytes > limits.maxBytes) {
    await rm(tempPath, { force: true });
    throw tooLarge();
  }
  return { filename: file.filename, bytes: sink.bytes, head: sink.head };
}

/**
 * Write batches kept between uploads. Allocating two per upload made 2 MiB of the roughly 14 MB
 * of external memory each 8.5 MB upload allocates, and V8 starts a full collection for every
 * 64 MB of that (docs/compression-speed.md, "Garbage collection"): reusing them cut the full
 * collections in 100 one-shot compressions of 8.5 MB from 23-25 to 19-20. Only a batch's filled
 * part is ever written, so what an earlier upload left in it goes nowhere.
 */
class IdleBatches {
  private readonly idle: Buffer[] = [];
  /** At most this many are kept (8 MiB); more concurrent uploads allocate their own. */
  private readonly keep = 8;

  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafe(WRITE_BATCH_BYTES);
  }

  giveBack(...batches: Buffer[]): void {
    for (const batch of batches) if (this.idle.length < this.keep) this.idle.push(batch);
  }
}
const idleBatches = new IdleBatches();

/**
 * Writes a stream to a new file (mode 0600, never an existing one) in writes of WRITE_BATCH_BYTES.
 * The parser hands over the socket's chunks (16-64 KB); a write for each is a trip through the
 * libuv threadpool per chunk. Two buffers take turns: one is written while the other fills, so
 * the request keeps flowing while the disk works (with one, the upload waited on its writes),
 * and no buffer is allocated per batch for the garbage collector to find. The two buffers come from
 * `idleBatches` and go back to it once the file is complete.
 */
class BatchedFileSink extends Writable {
  bytes = 0;
  head: Buffer = Buffer.alloc(0);
  private readonly path: string;
  private handle: FileHandle | null = null;
  private filling = idleBatches.take();
  private spare = idleBatches.take();
  private filled = 0;
  /** The write of `spare`, while it is in flight. */
  private writing: Promise<void> = Promise.resolve();

  constructor(path: string) {
    super();
    this.path = path;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'wx', 0o600).then((handle) => {
      this.handle = handle;
      callback();
    }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.head.length < SIGNATURE_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, SIGNATURE_BYTES - this.head.length)]);
    }
    this.bytes += chunk.length;
    this.append(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.handOver()
      .then(() => this.writing)
      .then(() => {
        // Every write has ended and no chunk can arrive after _final: the buffers are idle. (A
        // sink that fails or is destroyed keeps them: a write or a copy may still be under way.)
        idleBatches.giveBack(this.filling, this.spare);
        this.filling = this.spare = Buffer.alloc(0);
      })
      .then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = null;
    // A write in flight must end before its descriptor closes (its failure is already reported).
    const closed = this.writing.catch(() => {}).then(() => handle?.close());
    closed.then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  }

  private async append(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const copied = chunk.copy(this.filling, this.filled, offset);
      this.filled += copied;
      offset += copied;
      if (this.filled === this.filling.length) await this.handOver();
    }
  }

  /** Waits for the previous write, then starts writing what has filled and fills the other buffer. */
  private async handOver(): Promise<void> {
    await this.writing;
    if (this.filled === 0) return;
    [this.filling, this.spare] = [this.spare, this.filling];
    const length = this.filled;
    this.filled = 0;
    this.writing = this.writeAll(this.spare, length);
    // Failures surface at the next handOver or at _final; until then, not as unhandled rejections.
    this.writing.catch(() => {});
  }

  private async writeAll(buffer: Buffer, length: number): Promise<void> {
    let written = 0;
    while (written < length) written += (await this.handle!.write(buffer, written, length - written)).bytesWritten;
  }
}

/** For a request refused before its file is read: let the bytes flow past so the request ends. */
export async function discardUpload(upload: Promise<FileUpload>): Promise<void> {
  try {
    (await upload).createReadStream().resume();
  } catch {
    // Nothing to discard.
  }
}
