// Request bodies and connections (issue 12, point 2): every body is bounded whatever its content
// type and framing, the multipart map check is linear in the bytes received, and the real server
// (server.ts) drops dawdling headers and bodies and caps the connections one address holds.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF, startTestServer, type TestServer } from '../harness.ts';
import { startChildServer, type ChildServer } from '../../../testkit/child-server.ts';
import { rawRequest } from './helpers.ts';

/** Streams `totalBytes` of `byte` as a chunked body, 64 KiB a write, never holding it whole. */
function streamChunked(url: string, headers: Record<string, string>, totalBytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
    });
    // A server that stopped reading and answered may reset the connection under a client still sending.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve({ status: 0, body: error.code }) : reject(error),
    );
    const piece = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < totalBytes) {
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('bodies of every content type are bounded', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it.each(['application/x-www-form-urlencoded', 'application/graphql', 'text/plain'])(
    'refuses a 64 MiB chunked %s body with the CSRF header with 415, without holding it',
    async (contentType) => {
      const before = process.memoryUsage().rss;
      const result = await streamChunked(`${server.url}/graphql`, { ...CSRF, 'content-type': contentType }, 64 * 1024 * 1024);
      expect(result.status).toBe(415);
      expect(JSON.parse(result.body).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    },
  );

  it('refuses chunked JSON bodies over 1 MiB with 413, and stops reading a 64 MiB one', async () => {
    const before = process.memoryUsage().rss;
    expect((await streamChunked(`${server.url}/graphql`, { 'content-type': 'application/json' }, 4 * 1024 * 1024)).status).toBe(413);
    const huge = await streamChunked(`${server.url}/graphql`, { 'content-type': 'application/json' }, 64 * 1024 * 1024);
    expect([413, 0]).toContain(huge.status);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('refuses a chunked form post to a site page (411) and one declaring more than 64 KiB (413)', async () => {
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/login`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        },
      );
      req.on('error', reject);
      req.write('username=a&password=');
      req.end();
    });
    expect(chunked).toBe(411);
    const declared = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x'.repeat(65 * 1024),
    });
    expect(declared.status).toBe(413);
  });

  it('checks the multipart map in time linear in the bytes: a 3 MiB operations field trickled in 2 KiB writes', async () => {
    const boundary = 'trickle';
    const operations = JSON.stringify({ query: '{ me { id } }', variables: { pad: 'p'.repeat(3 * 1024 * 1024) } });
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n--${boundary}--\r\n`,
    );
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.setNoDelay(true);
    const cpuBefore = process.cpuUsage();
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nx-graphql-yoga-csrf: 1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    // A pause after each write, so the server receives each as its own chunk (a trickle).
    for (let offset = 0; offset < body.length; offset += 2048) {
      if (!socket.write(body.subarray(offset, offset + 2048))) await once(socket, 'drain');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await once(socket, 'close');
    const cpu = process.cpuUsage(cpuBefore);
    expect(answer).toMatch(/^HTTP\/1\.1 (200|400|413)/);
    // Client and server share this process; the quadratic re-scan this guards against took seconds alone.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(1500);
  });
});

describe('the real server: timeouts and connections per address', () => {
  let child: ChildServer;
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pixpress-bodies-'));
    child = await startChildServer(dataDir, {
      HEADERS_TIMEOUT_MS: '1000',
      REQUEST_TIMEOUT_MS: '2000',
      UPLOAD_TIMEOUT_MS: '5000',
      CONNECTIONS_PER_ADDRESS: '8',
      REQUESTS_IN_FLIGHT_PER_ADDRESS: '4',
    });
    port = Number(new URL(child.url).port);
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  const openSocket = async (): Promise<Socket> => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    return socket;
  };
  const closedWithin = (socket: Socket, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (socket.destroyed || socket.readyState === 'closed') return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  it('closes a connection whose headers never finish (HEADERS_TIMEOUT_MS)', async () => {
    const socket = await openSocket();
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    expect(await closedWithin(socket, 8000), answer).toBe(true);
  });

  it('answers 408 and closes when a JSON body dawdles past REQUEST_TIMEOUT_MS', async () => {
    const socket = await openSocket();
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":');
    expect(await closedWithin(socket, 6000)).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses requests past REQUESTS_IN_FLIGHT_PER_ADDRESS with 429 before reading them, and serves again once they end', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => openSocket()));
    for (const socket of held)
      socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const extra = await openSocket();
    extra.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
    const [refusal] = (await once(extra, 'data')) as [Buffer];
    expect(refusal.toString()).toMatch(/^HTTP\/1\.1 429/);
    for (const socket of [...held, extra]) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // A connection that closes after its answer, so the next test counts only its own.
    const after = await rawRequest(`${child.url}/graphql`, {
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: '{"query":"{ __typename }"}',
    });
    expect(after.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('holds at most CONNECTIONS_PER_ADDRESS connections from one address, and still serves on those', async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => openSocket()));
    // Within HEADERS_TIMEOUT_MS of connecting, so the ones kept open can still send a request.
    const closed = await Promise.all(sockets.map((socket) => closedWithin(socket, 400)));
    expect(closed.filter(Boolean).length).toBe(12);
    const open = sockets.filter((_, index) => !closed[index]);
    open[0]!.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const [reply] = (await once(open[0]!, 'data')) as [Buffer];
    expect(reply.toString()).toMatch(/^HTTP\/1\.1 200/);
    for (const socket of sockets) socket.destroy();
  });
});
