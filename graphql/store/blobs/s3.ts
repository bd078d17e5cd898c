// Blobs in an S3-compatible bucket (AWS, MinIO, Garage, Ceph…), under the same keys as the local
// layout. Open checks the bucket once and refuses to start, naming the variable at fault, rather
// than fall back to the local folder. Files are streamed from scratch, never read whole into
// memory; past a size, lib-storage uploads them in parts, so a failure costs one part, not all.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Logger } from 'pino';
import { ConfigError, type S3Config } from '../../config.ts';
import {
  BlobNotFoundError,
  StorageUnavailableError,
  type BlobListing,
  type BlobReadable,
  type BlobStat,
  type BlobStore,
  type DirectUrlOptions,
  type HealthCheck,
  type LocalCopy,
} from '../ports.ts';
import { contentDisposition } from './content-disposition.ts';
import { assertBlobKey, isBlobKey, LIST_PAGE_SIZE } from './keys.ts';
import { ScratchFolder } from './scratch.ts';

export interface S3BlobStoreOptions {
  /** The shared scratch parent (DATA_DIR/.tmp); this process keeps its own folder inside it. */
  scratchDir: string;
  processId?: string;
  /** See ScratchOptions: 0 when no other process can use the scratch parent. */
  abandonedAfterMs?: number;
  logger?: Logger;
  /** Files larger than this go up in parts (lib-storage); smaller ones in one streamed PUT. */
  multipartThresholdBytes?: number;
  /** How long the check at open waits for the bucket (health() waits at most 2 s). */
  checkTimeoutMs?: number;
}

/**
 * A streamed PUT buffers nothing, so it is used up to this size (the default upload limit is
 * 25 MB); beyond, parts of PART_SIZE (PART_QUEUE at a time, so at most 16 MiB held per upload)
 * can each be retried, where a failed single PUT of a stream cannot be replayed.
 */
const MULTIPART_THRESHOLD_BYTES = 64 * 1024 * 1024;
const PART_SIZE = 8 * 1024 * 1024;
const PART_QUEUE = 2;
/** Attempts per request, the first included; streamed PUTs are retried here, the rest by the SDK. */
const MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 3_000;
/** A socket idle this long (no bytes either way) is given up. */
const SOCKET_TIMEOUT_MS = 30_000;
const CHECK_TIMEOUT_MS = 5_000;
/** /healthz answers within a container's health-check timeout (5 s), records included. */
const HEALTH_TIMEOUT_MS = 2_000;
/** With TTLs of two minutes or more, signing times round down to the minute (see directUrl). */
const URL_ROUNDING_SECONDS = 60;
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const GONE_NAMES = new Set(['NoSuchBucket', 'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch']);
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
]);

export class S3BlobStore implements BlobStore {
  readonly backend = 's3' as const;
  readonly bucket: string;
  readonly #config: S3Config;
  readonly #client: S3Client;
  /** Signs presigned URLs for S3_PUBLIC_ENDPOINT when set; otherwise the client itself. */
  readonly #presigner: S3Client;
  readonly #scratch: ScratchFolder;
  readonly #multipartThresholdBytes: number;
  readonly #checkTimeoutMs: number;

  /** Connects and checks the bucket; throws a ConfigError naming the variable at fault. */
  static async open(config: S3Config, options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const store = new S3BlobStore(config, options);
    try {
      await store.#checkBucket();
    } catch (error) {
      await store.close();
      throw error;
    }
    options.logger?.info({ bucket: config.bucket, endpoint: config.endpoint ?? 'AWS' }, 'bucket reachable');
    return store;
  }

  private constructor(config: S3Config, options: S3BlobStoreOptions) {
    this.bucket = config.bucket;
    this.#config = config;
    this.#scratch = new ScratchFolder(options.scratchDir, { processId: options.processId, abandonedAfterMs: options.abandonedAfterMs });
    this.#multipartThresholdBytes = Math.max(options.multipartThresholdBytes ?? MULTIPART_THRESHOLD_BYTES, PART_SIZE);
    this.#checkTimeoutMs = options.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
    this.#client = newClient(config, config.endpoint, options.logger);
    // Signing makes no request: this client only puts the host browsers reach into the URLs.
    this.#presigner = config.publicEndpoint ? newClient(config, config.publicEndpoint, options.logger) : this.#client;
  }

  /** This process's scratch folder. */
  get scratchDir(): string {
    return this.#scratch.path;
  }

  scratchPath(): Promise<string> {
    return this.#scratch.newPath();
  }

  removeScratch(path: string): Promise<void> {
    return this.#scratch.remove(path);
  }

  /** Uploads the file, then removes it; on failure the scratch file stays for the caller to remove. */
  async putFile(key: string, scratchPath: string, contentType: string): Promise<void> {
    assertBlobKey(key);
    const { size } = await stat(scratchPath);
    if (size <= this.#multipartThresholdBytes) {
      await this.#withRetries(`uploading ${key}`, () =>
        this.#client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: createReadStream(scratchPath),
            ContentLength: size,
            ContentType: contentType,
          }),
        ),
      );
    } else {
      const upload = new Upload({
        client: this.#client,
        params: {
          Bucket: this.bucket,
          Key: key,
          Body: createReadStream(scratchPath, { highWaterMark: 1024 * 1024 }),
          ContentType: contentType,
        },
        partSize: PART_SIZE,
        queueSize: PART_QUEUE,
        leavePartsOnError: false,
      });
      await this.#unavailableIfSo(`uploading ${key}`, () => upload.done());
    }
    await rm(scratchPath, { force: true });
  }

  async put(key: string, data: Uint8Array, contentType: string): Promise<void> {
    assertBlobKey(key);
    await this.#unavailableIfSo(`uploading ${key}`, () =>
      this.#client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentLength: data.byteLength, ContentType: contentType }),
      ),
    );
  }

  async read(key: string): Promise<Buffer> {
    const object = await this.#get(key);
    if (!object) throw new BlobNotFoundError(key);
    const bytes = await this.#unavailableIfSo(`reading ${key}`, () => object.Body!.transformToByteArray());
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The caller must read the stream to its end or destroy it: it holds a connection until then. */
  async open(key: string): Promise<BlobReadable | undefined> {
    const object = await this.#get(key);
    if (!object) return undefined;
    return { stream: object.Body as Readable, size: object.ContentLength ?? 0, lastModified: object.LastModified ?? new Date(0) };
  }

  /** HeadObject: the bucket sends the headers only, so a HEAD of a large file costs no transfer. */
  async stat(key: string): Promise<BlobStat | undefined> {
    assertBlobKey(key);
    let head: HeadObjectCommandOutput;
    try {
      head = await this.#unavailableIfSo(`reading ${key}`, () =>
        this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
      // A HEAD's 404 has no body to tell a missing key from a missing bucket; the bucket is asked
      // then, so that a misconfigured instance does not report every file gone.
      await this.#bucketStillThere(`reading ${key}`);
      return undefined;
    }
    return { size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0) };
  }

  async localCopy(key: string): Promise<LocalCopy> {
    const object = await this.#get(key);
    if (!object) throw new BlobNotFoundError(key);
    const path = await this.#scratch.newPath();
    try {
      await this.#unavailableIfSo(`downloading ${key}`, () =>
        pipeline(object.Body as Readable, createWriteStream(path, { flags: 'wx', mode: 0o600 })),
      );
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, release: () => rm(path, { force: true }) };
  }

  async remove(...keys: string[]): Promise<void> {
    for (const key of keys) assertBlobKey(key);
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += 1000) {
      const batch = unique.slice(start, start + 1000);
      const result = await this.#unavailableIfSo('removing blobs', () =>
        // Content-MD5, which S3 long required for this call and many compatible stores (Ceph,
        // older MinIO, ECS) still do; the SDK would otherwise send only a CRC32 (aws-sdk-js-v3#6920).
        this.#client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            ChecksumAlgorithm: 'MD5',
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      // S3 reports a missing key as deleted; anything in Errors is a real refusal.
      const failures = (result.Errors ?? []).filter((failure) => failure.Code !== 'NoSuchKey');
      if (failures.length > 0) {
        const first = failures[0]!;
        throw new Error(
          `the bucket refused to remove ${failures.length} blob(s), first ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
        );
      }
    }
  }

  async *list(): AsyncIterable<BlobListing[]> {
    const pages = paginateListObjectsV2({ client: this.#client, pageSize: LIST_PAGE_SIZE }, { Bucket: this.bucket });
    const iterator = pages[Symbol.asyncIterator]();
    while (true) {
      const next = await this.#unavailableIfSo('listing the bucket', () => iterator.next());
      if (next.done) return;
      // Only keys of our shape are blobs: a shared bucket may hold anything else.
      const page = (next.value.Contents ?? [])
        .filter((object) => object.Key !== undefined && isBlobKey(object.Key))
        .map((object) => ({ key: object.Key!, lastModified: object.LastModified ?? new Date(0) }));
      if (page.length > 0) yield page;
    }
  }

  /**
   * A presigned GET valid for ttlSeconds, which also tells the bucket what to answer with
   * (type, disposition, cache lifetime). Like the app's own signed URLs, the signing time rounds
   * down to the minute when the TTL allows, so a page loaded twice within a minute gets the same
   * URLs and the browser cache works; a URL never outlives its TTL.
   */
  async directUrl(key: string, options: DirectUrlOptions): Promise<string> {
    assertBlobKey(key);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const rounds = options.ttlSeconds >= 2 * URL_ROUNDING_SECONDS;
    const signedAtSeconds = rounds ? Math.floor(nowSeconds / URL_ROUNDING_SECONDS) * URL_ROUNDING_SECONDS : nowSeconds;
    // What is left of the URL's life at the latest moment it can still be handed out.
    const maxAge = rounds ? options.ttlSeconds - URL_ROUNDING_SECONDS : options.ttlSeconds;
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: options.contentType,
      ResponseContentDisposition: contentDisposition(options.downloadName, options.disposition),
      ResponseCacheControl: `private, max-age=${maxAge}`,
    });
    return getSignedUrl(this.#presigner, command, { expiresIn: options.ttlSeconds, signingDate: new Date(signedAtSeconds * 1000) });
  }

  clearScratch(): Promise<number> {
    return this.#scratch.clear();
  }

  async health(): Promise<HealthCheck> {
    const detail = { bucket: this.bucket, endpoint: this.#config.endpoint ?? 'AWS' };
    try {
      const timeoutMs = Math.min(this.#checkTimeoutMs, HEALTH_TIMEOUT_MS);
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(timeoutMs) });
      return { ok: true, status: 'ok', detail };
    } catch (error) {
      const status = httpStatus(error);
      const word =
        status === 404 ? 'missing' : status === 403 ? 'denied' : isUnavailable(error) || isAbort(error) ? 'unreachable' : 'error';
      return { ok: false, status: word, detail: { ...detail, error: errorName(error) } };
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
    if (this.#presigner !== this.#client) this.#presigner.destroy();
    await this.#scratch.dispose();
  }

  async #get(key: string): Promise<GetObjectCommandOutput | undefined> {
    assertBlobKey(key);
    try {
      return await this.#unavailableIfSo(`reading ${key}`, () =>
        this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
      );
    } catch (error) {
      // Only a missing key: a missing bucket (NoSuchBucket, also a 404) must not look like a
      // missing file, or a misconfigured instance would report every file gone.
      if (errorName(error) === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async #bucketStillThere(what: string): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      const status = httpStatus(error);
      if (status === 404 || status === 403 || isUnavailable(error)) throw new StorageUnavailableError(`the bucket (${what})`, error);
      throw error;
    }
  }

  async #checkBucket(): Promise<void> {
    const where = this.#config.endpoint ?? `AWS (${this.#config.region})`;
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: AbortSignal.timeout(this.#checkTimeoutMs) });
    } catch (error) {
      const status = httpStatus(error);
      const cause = `${errorName(error)}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`;
      if (status === 404) throw new ConfigError('S3_BUCKET', `names a bucket that does not exist at ${where}: "${this.bucket}"`);
      if (status === 403 || errorName(error) === 'CredentialsProviderError') {
        throw new ConfigError(
          'S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY',
          this.#config.accessKeyId
            ? `were refused for bucket "${this.bucket}" at ${where} (wrong keys, or a bucket of another account): ${cause}`
            : `are unset and no other credentials were found: ${cause}`,
        );
      }
      if (status === 301 || errorName(error) === 'AuthorizationHeaderMalformed' || errorName(error) === 'PermanentRedirect') {
        throw new ConfigError('S3_REGION', `("${this.#config.region}") is not the region of bucket "${this.bucket}": ${cause}`);
      }
      if (isAbort(error)) throw new ConfigError('S3_ENDPOINT', `(${where}) did not answer within ${this.#checkTimeoutMs} ms`);
      if (isUnavailable(error)) throw new ConfigError('S3_ENDPOINT', `(${where}) cannot be reached: ${cause}`);
      throw new ConfigError('S3_BUCKET', `("${this.bucket}") cannot be used at ${where}: ${cause}`);
    }
  }

  /** For requests the SDK cannot replay (a streamed body): each attempt makes its request anew. */
  async #withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (let attempts = 1; ; attempts += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        if (attempts >= MAX_ATTEMPTS) throw new StorageUnavailableError(`the bucket (${what})`, error);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempts * (0.5 + Math.random())));
      }
    }
  }

  async #unavailableIfSo<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUnavailable(error)) throw new StorageUnavailableError(`the bucket (${what})`, error);
      throw error;
    }
  }
}

function newClient(config: S3Config, endpoint: string | null, logger: Logger | undefined): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: endpoint ?? undefined,
    forcePathStyle: config.forcePathStyle,
    // Without keys, the SDK's own chain (instance roles, AWS_* variables) is used.
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    // Checksums only where S3 requires them: many S3-compatible stores do not accept the
    // aws-chunked bodies with trailing CRC32 that the SDK would otherwise send.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS },
    logger: sdkLogger(logger),
  });
}

/**
 * The SDK logs every command's input and output at info and every failure (a missing key
 * included) at error; we report failures ourselves. Only its warnings (a streamed request that
 * cannot be retried, sockets running short) are worth an operator's eye.
 */
function sdkLogger(logger: Logger | undefined) {
  const ignore = () => {};
  const warn = logger ? (...content: unknown[]) => logger.warn({ component: 's3' }, content.map(String).join(' ')) : ignore;
  return { trace: ignore, debug: ignore, info: ignore, warn, error: ignore };
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  return (error as Error)?.name ?? 'Error';
}

function isAbort(error: unknown): boolean {
  return errorName(error) === 'AbortError' || errorName(error) === 'TimeoutError';
}

/** No answer at all (network, timeout), the store overloaded, or a server error: worth a retry later. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return false;
  // The bucket or our access to it went away while running: an operator's problem, not the request's.
  if (GONE_NAMES.has(errorName(error))) return true;
  const status = httpStatus(error);
  if (status !== undefined) return status >= 500 || status === 429 || status === 408;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  return UNAVAILABLE_NAMES.has(errorName(error));
}
