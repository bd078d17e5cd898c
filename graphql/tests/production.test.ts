// The real entry point, `node server.ts`, as production runs it (NODE_ENV=production): the built
// site is served, nobody is seeded unless SEED_USER says so, and SIGTERM lets a request in flight
// finish and flushes the database before the process exits 0.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { CSRF, multipartForm, scratchFiles } from './harness.ts';
import { startChildServer, type ChildServer } from '../../testkit/child-server.ts';
import { makeImage } from '../../testkit/fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface RunningServer extends ChildServer {
  dataDir: string;
}

const started: RunningServer[] = [];

/**
 * The server on a fresh data folder. NODE_ENV and SEED_USER stay unset unless `env` sets them:
 * these tests are about what the server does by itself.
 */
async function startServer(env: Record<string, string>, command?: string[]): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pixpress-prod-'));
  const child = await startChildServer(dataDir, { NODE_ENV: undefined, SEED_USER: undefined, ...env }, { command });
  const server: RunningServer = Object.assign(child, { dataDir });
  started.push(server);
  return server;
}

afterEach(async () => {
  for (const server of started.splice(0)) {
    await server.kill('SIGKILL');
    await rm(server.dataDir, { recursive: true, force: true });
  }
});

async function gql(server: RunningServer, query: string, token?: string): Promise<any> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

/**
 * A multipart upload written by hand, so the test decides when the file's bytes arrive: the
 * operations, the map and the file part's headers are sent at once; the caller writes the file
 * and then `end`s with `closing`.
 */
function onGlibc(): boolean {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return Boolean(report.header?.glibcVersionRuntime);
}

/** The environment of the process running server.ts on this data folder (found through /proc). */
async function serverEnvironment(dataDir: string): Promise<string[]> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const [commandLine, environment] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${pid}/environ`, 'utf8').catch(() => ''),
    ]);
    const variables = environment.split('\0');
    if (commandLine.split('\0').some((part) => part.endsWith('server.ts')) && variables.includes(`DATA_DIR=${dataDir}`)) return variables;
  }
  throw new Error(`no server.ts process with DATA_DIR=${dataDir}`);
}

function openUpload(server: RunningServer, token: string, filename: string): { upload: ClientRequest; closing: Buffer } {
  const boundary = 'pixpressboundary';
  const upload = request({
    host: '127.0.0.1',
    port: new URL(server.url).port,
    path: '/graphql',
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1', 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  upload.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n` +
      JSON.stringify({
        query:
          'mutation Upload($file: Upload!) { uploadImage(file: $file) { __typename ... on Image { id bytes } ... on Error { code message } } }',
        variables: { file: null },
      }) +
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}` +
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  return { upload, closing: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

/** Resolves once an upload is being written to DATA_DIR/.tmp: the server has the request in hand. */
async function receiving(server: RunningServer): Promise<void> {
  await expect.poll(async () => (await scratchFiles(server)).length, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
}

const LOG_IN = 'mutation { logIn(username: "Picky", password: "test") { __typename ... on AuthPayload { token } ... on Error { code } } }';

describe('production mode (node server.ts)', () => {
  it('serves the built site and the API on one port, and seeds nobody by default', async () => {
    expect(existsSync(join(ROOT, 'site/dist/server/entry.mjs')), 'run npm run build first').toBe(true);
    const server = await startServer({ NODE_ENV: 'production' });

    const home = await fetch(`${server.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    expect(home.headers.get('x-request-id')).toBeTruthy();
    // No Vite dev client, no dev toolbar: the built pages only.
    const html = await home.text();
    expect(html).not.toMatch(/@vite\/client|astro-dev-toolbar/);

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(await metrics.text()).toContain('pixpress_store_users 0');
    expect((await gql(server, LOG_IN)).data.logIn).toEqual({ __typename: 'InvalidCredentialsError', code: 'INVALID_CREDENTIALS' });
    // The site's own requests got their log lines (`/` may redirect a visitor to the login page).
    await expect
      .poll(() =>
        server.logs.some((line) => line.msg === 'request' && line.route === 'site' && line.path === '/' && Number(line.status) < 400),
      )
      .toBe(true);

    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('stops gracefully when SIGTERM reaches `npm run serve`, as the container runs it', async () => {
    // The Dockerfile's CMD and shell setting: npm passes the signal to its child, and bash (unlike
    // dash) makes that child node itself.
    const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
    const server = await startServer(
      { NODE_ENV: 'production', NPM_CONFIG_SCRIPT_SHELL: '/bin/bash', NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
      [...npm, 'run', 'serve', '--silent'],
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    if (process.platform === 'linux' && onGlibc()) {
      // scripts/serve.mjs holds glibc to two malloc arenas (the test's environment does not set it).
      expect(await serverEnvironment(server.dataDir)).toContain('MALLOC_ARENA_MAX=2');
    }
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.logs.find((line) => line.msg === 'stopped')).toMatchObject({ forced: false });
  });

  it('finishes an upload in flight on SIGTERM, refuses new connections, flushes the database and exits 0', async () => {
    const server = await startServer({ NODE_ENV: 'production', SEED_USER: 'Picky:test' });
    const logIn = await gql(server, LOG_IN);
    const token = logIn.data.logIn.token as string;
    expect(token).toBeTruthy();

    // A multipart upload whose file arrives in two halves, with SIGTERM in between.
    const jpeg = await makeImage(320, 240, 'jpeg');
    const half = Math.floor(jpeg.length / 2);
    const { upload, closing } = openUpload(server, token, 'late.jpg');
    const responded = once(upload, 'response');
    upload.write(jpeg.subarray(0, half));
    // In flight for certain: the server is streaming the file into DATA_DIR/.tmp.
    await receiving(server);

    server.process.kill('SIGTERM');
    await server.waitForLog('shutting down: finishing requests in flight');
    // The listening socket is closed: a new connection is refused.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    upload.end(Buffer.concat([jpeg.subarray(half), closing]));
    const [response] = (await responded) as [import('node:http').IncomingMessage];
    let body = '';
    for await (const chunk of response) body += chunk;
    expect(response.statusCode).toBe(200);
    const result = JSON.parse(body).data.uploadImage;
    expect(result).toMatchObject({ __typename: 'Image', bytes: jpeg.length });

    expect(await server.exited).toBe(0);
    const shutdownLine = server.logs.find((line) => line.msg === 'stopped');
    expect(shutdownLine).toBeTruthy();
    // The record and its file are on disk.
    const db = JSON.parse(await readFile(join(server.dataDir, 'db.json'), 'utf8'));
    const stored = Object.values(db.images).flatMap((perUser) => Object.values(perUser as Record<string, { id: string; file: string }>));
    expect(stored.map((image) => image.id)).toEqual([result.id]);
    expect((await stat(join(server.dataDir, stored[0]!.file))).size).toBe(jpeg.length);
  });

  it('cuts a request that outlasts SHUTDOWN_TIMEOUT_MS, leaving no partial file or record, and still exits 0', async () => {
    const server = await startServer({ SEED_USER: 'Picky:test', SHUTDOWN_TIMEOUT_MS: '300' });
    const token = (await gql(server, LOG_IN)).data.logIn.token as string;
    const { upload: stalled } = openUpload(server, token, 'never.jpg');
    const outcome = new Promise<string>((resolve) => {
      stalled.on('error', (error) => resolve(`error: ${error.message}`));
      stalled.on('response', (response) => resolve(`status ${response.statusCode}`));
    });
    // Some bytes, then nothing more: the client stalls mid-file.
    stalled.write(Buffer.alloc(4096, 1));
    await receiving(server);

    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await outcome).toMatch(/^error|^status [45]/);
    expect(server.logs.find((line) => line.msg === 'shutdown timeout: cut the connections still open')).toMatchObject({
      forced: true,
      inFlightAtStart: 1,
    });
    // Nothing half-written: no record, and no file besides the database and the secret.
    const db = JSON.parse(await readFile(join(server.dataDir, 'db.json'), 'utf8'));
    expect(Object.values(db.images).flatMap((perUser) => Object.values(perUser as object))).toEqual([]);
    const files = (await readdir(server.dataDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
    expect(files.sort()).toEqual(['db.json', 'jwt-secret']);
  });

  it('runs a full garbage collection far less often than once per large upload (graphql/http/gc-tuning.ts)', async () => {
    const server = await startServer({ NODE_ENV: 'production', SEED_USER: 'Picky:test' });
    const token = (await gql(server, LOG_IN)).data.logIn.token as string;
    // About 9 MB: with V8's default, about every other upload of this size started a full collection.
    const photo = await sharp({
      create: { width: 2400, height: 1600, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } },
    })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .toBuffer();
    expect(photo.length).toBeGreaterThan(8_000_000);
    const majorCollections = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      // prom-client lists a kind once it has happened.
      return Number(/^nodejs_gc_duration_seconds_count\{kind="major"\} (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const compress = async () => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...CSRF },
        body: multipartForm(
          `mutation($file: Upload!) { compressUpload(file: $file, options: { width: 640, format: JPEG, quality: 80 }) { __typename } }`,
          { file: null },
          { file: { data: photo, filename: 'noise.jpg', type: 'image/jpeg' } },
        ),
      });
      expect((await response.json()).data.compressUpload.__typename).toBe('CompressedFile');
    };
    await compress();
    const before = await majorCollections();
    expect(Number.isInteger(before)).toBe(true);
    const UPLOADS = 24;
    for (let done = 0; done < UPLOADS; done += 2) await Promise.all([compress(), compress()]);
    // Measured: 4-5 with the tuning, 11 without it.
    expect((await majorCollections()) - before).toBeLessThanOrEqual(UPLOADS / 3);
  });
});
