// The real entry point, `node server.ts`, as production runs it (NODE_ENV=production): the built
// site is served, nobody is seeded unless SEED_USER says so, and SIGTERM lets a request in flight
// finish and flushes the database before the process exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { scratchFiles } from './harness.ts';
import { makeImage } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface RunningServer {
  child: ChildProcess;
  url: string;
  dataDir: string;
  logLines: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose msg matches. */
  waitForLog(msg: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

const started: RunningServer[] = [];

async function startServer(env: Record<string, string>, command: string[] = [process.execPath, 'server.ts']): Promise<RunningServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pixpress-prod-'));
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env };
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const logLines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  let buffered = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const text of parts.filter(Boolean)) {
      const line = JSON.parse(text) as Record<string, unknown>;
      logLines.push(line);
      for (const waiter of waiters.filter((candidate) => candidate.msg === line.msg)) waiter.resolve(line);
    }
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitForLog = (msg: string) => {
    const seen = logLines.find((line) => line.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      waiters.push({ msg, resolve });
      void exited.then((code) => reject(new Error(`server exited (${code}) before logging "${msg}": ${stderr}`)));
    });
  };
  const listening = await waitForLog('Pixpress is listening');
  const server: RunningServer = { child, url: String(listening.url).replace(/\/$/, ''), dataDir, logLines, waitForLog, exited };
  started.push(server);
  return server;
}

afterEach(async () => {
  for (const server of started.splice(0)) {
    if (server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
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
      JSON.stringify({ query: 'mutation Upload($file: Upload!) { uploadImage(file: $file) { __typename ... on Image { id bytes } ... on Error { code message } } }', variables: { file: null } }) +
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}` +
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${filename}"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  return { upload, closing: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

/** Resolves once an upload is being written to DATA_DIR/.tmp: the server has the request in hand. */
async function receiving(server: RunningServer): Promise<void> {
  await expect
    .poll(async () => (await scratchFiles(server)).length, { timeout: 20_000, interval: 20 })
    .toBeGreaterThan(0);
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
    await expect.poll(() => server.logLines.some((line) => line.msg === 'request' && line.route === 'site' && line.path === '/' && Number(line.status) < 400)).toBe(true);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('stops gracefully when SIGTERM reaches `npm run serve`, as the container runs it', async () => {
    // The Dockerfile's CMD and shell setting: npm passes the signal to its child, and bash (unlike
    // dash) makes that child node itself.
    const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
    const server = await startServer({ NODE_ENV: 'production', NPM_CONFIG_SCRIPT_SHELL: '/bin/bash', NPM_CONFIG_UPDATE_NOTIFIER: 'false' }, [...npm, 'run', 'serve', '--silent']);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.logLines.find((line) => line.msg === 'stopped')).toMatchObject({ forced: false });
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

    server.child.kill('SIGTERM');
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
    const shutdownLine = server.logLines.find((line) => line.msg === 'stopped');
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

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(await outcome).toMatch(/^error|^status [45]/);
    expect(server.logLines.find((line) => line.msg === 'shutdown timeout: cut the connections still open')).toMatchObject({ forced: true, inFlightAtStart: 1 });
    // Nothing half-written: no record, and no file besides the database and the secret.
    const db = JSON.parse(await readFile(join(server.dataDir, 'db.json'), 'utf8'));
    expect(Object.values(db.images).flatMap((perUser) => Object.values(perUser as object))).toEqual([]);
    const files = (await readdir(server.dataDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
    expect(files.sort()).toEqual(['db.json', 'jwt-secret']);
  });
});
