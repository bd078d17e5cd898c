// S3BlobStore against a real S3-compatible server (s3rver locally, MinIO or s3rver in CI), named by
// PIXPRESS_TEST_S3_ENDPOINT, e.g. http://127.0.0.1:45699 (keys in the URL's user info, else
// s3rver's S3RVER/S3RVER). Each run makes its own bucket and deletes it afterwards. Note that
// s3rver does not check signatures: these tests cover what Pixpress sends and reads, not the
// store's own verification of presigned URLs.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Config } from '../../config.ts';
import { createFileHandler } from '../../http/serve-file.ts';
import { createUrlSigner } from '../../http/signed-urls.ts';
import { BlobNotFoundError, blobKeys, StorageUnavailableError } from '../ports.ts';
import { describeBlobStoreContract } from '../testsuite/blobs-contract.ts';
import { S3BlobStore } from './s3.ts';

const endpoint = process.env.PIXPRESS_TEST_S3_ENDPOINT?.trim() || undefined;
if (!endpoint) console.log('skipped: no PIXPRESS_TEST_S3_ENDPOINT (S3BlobStore contract and S3 tests)');

function settings(bucket: string, overrides: Partial<S3Config> = {}): S3Config {
  const url = new URL(endpoint!);
  const accessKeyId = decodeURIComponent(url.username) || 'S3RVER';
  const secretAccessKey = decodeURIComponent(url.password) || 'S3RVER';
  url.username = '';
  url.password = '';
  return {
    bucket,
    endpoint: url.origin,
    publicEndpoint: null,
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
    ...overrides,
  };
}

function adminClient(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint!,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId!, secretAccessKey: config.secretAccessKey! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/** A bucket of its own, emptied and deleted by the returned function. */
async function createBucket(): Promise<{ config: S3Config; drop(): Promise<void> }> {
  const config = settings(`pixpress-test-${randomBytes(6).toString('hex')}`);
  const admin = adminClient(config);
  await admin.send(new CreateBucketCommand({ Bucket: config.bucket }));
  return {
    config,
    async drop() {
      // Listing version 1 and deleting until empty: it needs no continuation tokens, so it also
      // empties a bucket on an s3rver that cannot page version 2 (see the paging test below).
      while (true) {
        const listed = await admin.send(new ListObjectsCommand({ Bucket: config.bucket }));
        const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key! }));
        if (keys.length === 0) break;
        await admin.send(new DeleteObjectsCommand({ Bucket: config.bucket, Delete: { Objects: keys, Quiet: true } }));
      }
      await admin.send(new DeleteBucketCommand({ Bucket: config.bucket }));
      admin.destroy();
    },
  };
}

async function openInBucket(options: { multipartThresholdBytes?: number } = {}) {
  const bucket = await createBucket();
  const scratchDir = await mkdtemp(join(tmpdir(), 'pixpress-s3-scratch-'));
  const blobs = await S3BlobStore.open(bucket.config, { scratchDir, ...options });
  return {
    blobs,
    config: bucket.config,
    async cleanup() {
      await blobs.close();
      await bucket.drop();
      await rm(scratchDir, { recursive: true, force: true });
    },
  };
}

if (endpoint) {
  // A low threshold, so that the contract's multi-MB file goes up in parts and the rest in one PUT.
  describeBlobStoreContract('S3 bucket', () => openInBucket({ multipartThresholdBytes: 8 * 1024 * 1024 }));
}

describe.skipIf(!endpoint)('S3BlobStore', () => {
  let store: Awaited<ReturnType<typeof openInBucket>>;
  beforeAll(async () => {
    store = await openInBucket({ multipartThresholdBytes: 8 * 1024 * 1024 });
  });
  const scratchDirs: string[] = [];
  afterAll(async () => {
    await store?.cleanup();
    await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  const scratchDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pixpress-s3-scratch-'));
    scratchDirs.push(dir);
    return dir;
  };

  it('refuses to open a bucket that does not exist, naming S3_BUCKET', async () => {
    const missing = settings(`pixpress-missing-${randomBytes(6).toString('hex')}`);
    await expect(S3BlobStore.open(missing, { scratchDir: await scratchDir() })).rejects.toThrow(
      /S3_BUCKET names a bucket that does not exist.*pixpress-missing-/,
    );
  });

  it('refuses keys the store does not know, naming the key variables', async () => {
    const denied = { ...store.config, accessKeyId: 'NOT-A-KEY', secretAccessKey: 'not a secret' };
    await expect(S3BlobStore.open(denied, { scratchDir: await scratchDir() })).rejects.toThrow(
      /S3_ACCESS_KEY_ID\/S3_SECRET_ACCESS_KEY were refused/,
    );
  });

  it('fails fast when the endpoint cannot be reached, naming S3_ENDPOINT', async () => {
    const port = await closedPort();
    const startedAt = Date.now();
    const unreachable = { ...store.config, endpoint: `http://127.0.0.1:${port}` };
    await expect(S3BlobStore.open(unreachable, { scratchDir: await scratchDir() })).rejects.toThrow(
      /S3_ENDPOINT \(http:\/\/127\.0\.0\.1:\d+\) cannot be reached: .*ECONNREFUSED/,
    );
    expect(Date.now() - startedAt).toBeLessThan(3000);
  });

  it('fails within the check timeout when the endpoint accepts connections but never answers', async () => {
    const silent = await listen((socket) => socket.on('data', () => {}));
    try {
      const startedAt = Date.now();
      const config = { ...store.config, endpoint: `http://127.0.0.1:${port(silent)}` };
      await expect(S3BlobStore.open(config, { scratchDir: await scratchDir(), checkTimeoutMs: 500 })).rejects.toThrow(
        /S3_ENDPOINT .* did not answer within 500 ms/,
      );
      expect(Date.now() - startedAt).toBeLessThan(3000);
    } finally {
      await close(silent);
    }
  });

  it('uploads large files in parts and small ones in one streamed PUT, with their content type', async () => {
    // What the store is sent, seen on the wire: s3rver's ETags do not tell a multipart object apart.
    const proxy = await proxyTo(store.config.endpoint!);
    const blobs = await S3BlobStore.open(
      { ...store.config, endpoint: proxy.url },
      { scratchDir: await scratchDir(), multipartThresholdBytes: 8 * 1024 * 1024 },
    );
    const userId = randomUUID();
    const large = blobKeys.original(userId, randomUUID(), 'jpg');
    const small = blobKeys.original(userId, randomUUID(), 'jpg');
    for (const [key, size] of [
      [large, 20 * 1024 * 1024],
      [small, 100_000],
    ] as const) {
      const scratch = await blobs.scratchPath();
      await writeFile(scratch, randomBytes(size));
      await blobs.putFile(key, scratch, 'image/jpeg');
    }
    await blobs.remove(blobKeys.original(userId, randomUUID(), 'jpg'));
    await blobs.close();
    await proxy.close();
    // Multi-object delete carries Content-MD5, which many S3-compatible stores require.
    const deleteHead = proxy.requestHeads.find((head) => head.startsWith(`POST /${store.config.bucket}/?delete`));
    expect(deleteHead).toMatch(/^content-md5: [\w+/]{22}==$/im);

    const requests = proxy.requestLines.filter((line) => !line.startsWith('HEAD ') && !line.includes('?delete'));
    const path = (key: string) => `/${store.config.bucket}/${key}`;
    const sent = (key: string) =>
      requests
        .filter((line) => line.includes(path(key)))
        .map((line) => line.replace(/uploadId=[^&\s]+/, 'uploadId=…').replace(/ HTTP\/1\.1$/, ''));
    expect(sent(large)).toEqual([
      `POST ${path(large)}?uploads=`,
      ...[1, 2, 3].map((part) => `PUT ${path(large)}?partNumber=${part}&uploadId=…&x-id=UploadPart`),
      `POST ${path(large)}?uploadId=…`,
    ]);
    expect(sent(small)).toEqual([`PUT ${path(small)}?x-id=PutObject`]);
    const admin = adminClient(store.config);
    const largeHead = await admin.send(new HeadObjectCommand({ Bucket: store.config.bucket, Key: large }));
    const smallHead = await admin.send(new HeadObjectCommand({ Bucket: store.config.bucket, Key: small }));
    admin.destroy();
    expect([largeHead.ContentType, largeHead.ContentLength]).toEqual(['image/jpeg', 20 * 1024 * 1024]);
    expect([smallHead.ContentType, smallHead.ContentLength]).toEqual(['image/jpeg', 100_000]);
  });

  it('has a server that pages ListObjectsV2 (s3rver needs NODE_OPTIONS=--openssl-legacy-provider for its tokens)', async () => {
    const admin = adminClient(store.config);
    const userId = randomUUID();
    for (const index of [1, 2])
      await store.blobs.put(blobKeys.original(userId, randomUUID(), 'png'), Buffer.from(String(index)), 'image/png');
    try {
      const first = await admin.send(new ListObjectsV2Command({ Bucket: store.config.bucket, MaxKeys: 1 }));
      expect(first.IsTruncated).toBe(true);
      expect(first.NextContinuationToken).toBeTruthy();
    } catch (error) {
      // s3rver makes continuation tokens with DES, which OpenSSL 3 only has in its legacy
      // provider: without it every truncated listing is a 500 (jamhall/s3rver#818).
      throw new Error(
        `the S3 server at ${store.config.endpoint} cannot page ListObjectsV2 (${(error as Error).message}); if it is s3rver, start it with NODE_OPTIONS=--openssl-legacy-provider`,
      );
    } finally {
      admin.destroy();
    }
  });

  it('does not take a bucket that went away for a missing file', async () => {
    const bucket = await createBucket();
    const blobs = await S3BlobStore.open(bucket.config, { scratchDir: await scratchDir() });
    await bucket.drop();
    const key = blobKeys.original(randomUUID(), randomUUID(), 'png');
    await expect(blobs.open(key)).rejects.toThrow(/bucket/i);
    await expect(blobs.stat(key)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(blobs.read(key)).rejects.not.toBeInstanceOf(BlobNotFoundError);
    expect(await blobs.health()).toMatchObject({ ok: false, status: 'missing' });
    await blobs.close();
  });

  it('gives presigned URLs that answer with the bytes, the type, the disposition and a cache lifetime within the TTL', async () => {
    const bytes = randomBytes(5000);
    const key = blobKeys.compression(randomUUID(), randomUUID(), 'webp');
    await store.blobs.put(key, bytes, 'application/octet-stream');

    const download = await store.blobs.directUrl(key, {
      ttlSeconds: 300,
      contentType: 'image/webp',
      downloadName: 'Été "au lac"\u202egpj.webp',
    });
    const url = new URL(download);
    expect(url.origin).toBe(store.config.endpoint);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    const response = await fetch(download);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="_t_ _au lac_gpj.webp"; filename*=UTF-8''%C3%89t%C3%A9%20%22au%20lac%22gpj.webp`,
    );
    expect(response.headers.get('cache-control')).toBe('private, max-age=240');
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

    const named = await fetch(
      await store.blobs.directUrl(key, { ttlSeconds: 300, contentType: 'image/webp', downloadName: 'lake.webp', disposition: 'inline' }),
    );
    expect(named.headers.get('content-disposition')).toBe(`inline; filename="lake.webp"; filename*=UTF-8''lake.webp`);
    await named.arrayBuffer();

    const inline = await store.blobs.directUrl(key, { ttlSeconds: 60, contentType: 'image/webp' });
    expect(new URL(inline).searchParams.get('X-Amz-Expires')).toBe('60');
    const shown = await fetch(inline);
    expect(shown.headers.get('content-disposition')).toBe('inline');
    expect(shown.headers.get('cache-control')).toBe('private, max-age=60');
    await shown.arrayBuffer();
  });

  it('gives the same presigned URL twice within a minute, so browsers can cache', async () => {
    const key = blobKeys.thumbnail(randomUUID(), randomUUID());
    const options = { ttlSeconds: 600, contentType: 'image/webp' };
    let [first, second] = [await store.blobs.directUrl(key, options), await store.blobs.directUrl(key, options)];
    // The minute may have turned between the two calls; it cannot turn twice in a row.
    if (first !== second) [first, second] = [await store.blobs.directUrl(key, options), await store.blobs.directUrl(key, options)];
    expect(first).toBe(second);
    const signedAt = new URL(first).searchParams.get('X-Amz-Date')!;
    expect(signedAt).toMatch(/^\d{8}T\d{4}00Z$/);
  });

  it('turns a bucket that stops answering mid-run into StorageUnavailableError, and health says unreachable', async () => {
    const proxy = await proxyTo(store.config.endpoint!);
    const blobs = await S3BlobStore.open({ ...store.config, endpoint: proxy.url }, { scratchDir: await scratchDir() });
    const key = blobKeys.original(randomUUID(), randomUUID(), 'png');
    await blobs.put(key, Buffer.from('reachable'), 'image/png');
    expect((await blobs.read(key)).toString()).toBe('reachable');

    await proxy.close();
    await expect(blobs.read(key)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(blobs.open(key)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(blobs.put(key, Buffer.from('x'), 'image/png')).rejects.toBeInstanceOf(StorageUnavailableError);
    const scratch = await blobs.scratchPath();
    await writeFile(scratch, 'streamed');
    await expect(blobs.putFile(key, scratch, 'image/png')).rejects.toBeInstanceOf(StorageUnavailableError);
    // A failed putFile leaves the scratch file to its caller.
    await blobs.removeScratch(scratch);
    await expect(blobs.remove(key)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(collect(blobs.list())).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(await blobs.health()).toMatchObject({ ok: false, status: 'unreachable' });
    await blobs.close();
  });

  it('feeds the /files/ handler (FILE_URLS=proxy): bytes and headers from the bucket, 404 when gone, 503 when the bucket is down', async () => {
    const proxy = await proxyTo(store.config.endpoint!);
    const blobs = await S3BlobStore.open({ ...store.config, endpoint: proxy.url }, { scratchDir: await scratchDir() });
    const signer = createUrlSigner(randomBytes(32), 300);
    const files = await listenHttp(createFileHandler(blobs, signer));
    try {
      const bytes = randomBytes(300_000);
      const key = blobKeys.thumbnail(randomUUID(), randomUUID());
      await blobs.put(key, bytes, 'image/webp');
      const served = await fetch(`${files.url}${signer.sign(key)}`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/webp');
      expect(Number(served.headers.get('content-length'))).toBe(bytes.length);
      expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
      const head = await fetch(`${files.url}${signer.sign(key)}`, { method: 'HEAD' });
      expect([head.status, Number(head.headers.get('content-length'))]).toEqual([200, bytes.length]);

      expect((await fetch(`${files.url}${signer.sign(blobKeys.thumbnail(randomUUID(), randomUUID()))}`)).status).toBe(404);
      await proxy.close();
      const down = await fetch(`${files.url}${signer.sign(key)}`);
      expect([down.status, down.headers.get('retry-after')]).toEqual([503, '5']);
    } finally {
      await files.close();
      await blobs.close();
      await proxy.close();
    }
  });

  it('retries a streamed PUT whose connection broke, sending the whole file again; logs no request, only warnings', async () => {
    const proxy = await proxyTo(store.config.endpoint!);
    const lines: Array<{ level: number; msg: string; component?: string }> = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const blobs = await S3BlobStore.open({ ...store.config, endpoint: proxy.url }, { scratchDir: await scratchDir(), logger });
    try {
      const bytes = randomBytes(2 * 1024 * 1024);
      const key = blobKeys.original(randomUUID(), randomUUID(), 'png');
      const scratch = await blobs.scratchPath();
      await writeFile(scratch, bytes);
      proxy.dropRequests('PUT', 2);
      await blobs.putFile(key, scratch, 'image/png');
      expect(proxy.requestLines.filter((line) => line.startsWith(`PUT /${store.config.bucket}/${key}`))).toHaveLength(3);
      expect((await blobs.read(key)).equals(bytes)).toBe(true);
      expect(await blobs.open(blobKeys.original(randomUUID(), randomUUID(), 'png'))).toBeUndefined();
      expect(lines.map((line) => [line.level, line.component, line.msg])).toEqual([
        [30, undefined, 'bucket reachable'],
        [40, 's3', expect.stringContaining('streaming')],
        [40, 's3', expect.stringContaining('streaming')],
      ]);
    } finally {
      await blobs.close();
      await proxy.close();
    }
  });
});

/** A TCP relay to the S3 server that notes each HTTP request line, and can be cut. */
async function proxyTo(endpoint: string): Promise<{
  url: string;
  requestLines: string[];
  requestHeads: string[];
  dropRequests(method: string, count: number): void;
  close(): Promise<void>;
}> {
  const target = new URL(endpoint);
  const requestLines: string[] = [];
  const requestHeads: string[] = [];
  const toDrop = { method: '', count: 0 };
  const relays = new Set<Socket>();
  const server = await listen((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      relays.add(socket);
      socket.on('error', () => {});
    }
    client.on('data', (chunk: Buffer) => {
      // A request's head arrives at the start of a chunk; body bytes rarely look like one.
      const line = /^(GET|PUT|POST|DELETE|HEAD) \S+ HTTP\/1\.1/.exec(chunk.subarray(0, 2048).toString('latin1'));
      if (!line) return;
      requestLines.push(line[0]);
      requestHeads.push(chunk.subarray(0, chunk.indexOf('\r\n\r\n')).toString('latin1'));
      if (line[1] === toDrop.method && toDrop.count > 0) {
        // Cut before the store sees the request: as if the connection broke on the way.
        toDrop.count -= 1;
        client.destroy();
        upstream.destroy();
      }
    });
    client.pipe(upstream).pipe(client);
  });
  return {
    url: `http://127.0.0.1:${port(server)}`,
    requestLines,
    requestHeads,
    dropRequests(method, count) {
      Object.assign(toDrop, { method, count });
    },
    async close() {
      await close(server);
      for (const socket of relays) socket.destroy();
    },
  };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

const openSockets = new WeakMap<Server, Set<Socket>>();

function listen(onConnection: (socket: Socket) => void): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  openSockets.set(server, sockets);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function port(server: Server): number {
  return (server.address() as { port: number }).port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of openSockets.get(server) ?? []) socket.destroy();
  });
}

/** A port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = await listen(() => {});
  const free = port(server);
  await close(server);
  return free;
}

async function listenHttp(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
