// Web hygiene (issue 12, point 6) as a hostile client or page would probe it: Host values the
// server must not answer to, X-Forwarded-For entries a client wrote itself, malformed cookies,
// off-site `next` redirects, missing security headers, log lines that are not JSON, and GraphiQL
// pulling code from another host.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactConsoleText, routeConsoleTo } from '../../http/console-to-logger.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { startChildServer, type ChildServer } from '../../../testkit/child-server.ts';
import { rawRequest } from './helpers.ts';

const SITE_BUILT = existsSync(fileURLToPath(new URL('../../../site/dist/server/entry.mjs', import.meta.url)));
const LOG_IN = `mutation($u: String!, $p: String!) { logIn(username: $u, password: $p) { __typename ... on Error { code } } }`;

describe('the API (in process)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PUBLIC_URL: 'https://pix.example.com' });
  });
  afterAll(async () => server?.close());

  it('refuses Host values it does not serve with 421, and answers PUBLIC_URL and the loopback names', async () => {
    for (const host of ['evil.example', 'evil.example:80', 'pix.example.com.evil.example', '127.0.0.2']) {
      const response = await rawRequest(`${server.url}/graphql`, {
        headers: { host, 'content-type': 'application/json' },
        body: '{"query":"{ me { id } }"}',
      });
      expect(response.status, host).toBe(421);
      expect((await rawRequest(`${server.url}/login`, { method: 'GET', headers: { host } })).status, host).toBe(421);
    }
    for (const host of ['pix.example.com', 'localhost:4321', '127.0.0.1', '[::1]:8080']) {
      const response = await rawRequest(`${server.url}/graphql`, {
        headers: { host, 'content-type': 'application/json' },
        body: '{"query":"{ me { id } }"}',
      });
      expect(response.status, host).toBe(200);
    }
    // Health probes reach the server by whatever address they have (a pod IP): always answered.
    expect((await rawRequest(`${server.url}/healthz`, { method: 'GET', headers: { host: '10.1.2.3:4321' } })).status).toBe(200);
  });

  it('puts nosniff, a referrer policy, X-Frame-Options and a CSP with frame-ancestors on every response', async () => {
    for (const path of ['/healthz', '/metrics', '/graphql', '/files/x', '/no-such-page']) {
      const response = await fetch(
        `${server.url}${path}`,
        path === '/graphql' ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' } : {},
      );
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('content-security-policy') ?? '', path).toMatch(/frame-ancestors 'none'|sandbox/);
    }
  });

  it('treats a malformed session cookie as signed out, not as a server error', async () => {
    for (const cookie of ['pixpress_session=%', 'pixpress_session=%E0%A4%A', 'pixpress_session=%%%; theme=dark']) {
      const response = await rawRequest(`${server.url}/graphql`, {
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      expect(response.status, cookie).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ data: { me: null } });
    }
  });

  it('serves GraphiQL with every script, style and worker from this server', async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('YogaGraphiQL');
    expect(html).not.toMatch(/unpkg|githubusercontent|https?:\/\//);
    const assets = [...html.matchAll(/(\/graphiql-assets\/[\w./-]+)/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of new Set(assets)) {
      const response = await fetch(`${server.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
  });
});

describe('GraphiQL in production', () => {
  it('is off unless GRAPHIQL=true, and never shows the demo credentials there', async () => {
    const off = await startTestServer({ NODE_ENV: 'production' });
    const on = await startTestServer({ NODE_ENV: 'production', GRAPHIQL: 'true' });
    try {
      const offPage = await (await fetch(`${off.url}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(offPage).not.toContain('YogaGraphiQL');
      expect((await fetch(`${off.url}/graphiql-assets/yoga-graphiql.umd.js`)).status).toBe(404);
      const onPage = await (await fetch(`${on.url}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(onPage).toContain('YogaGraphiQL');
      expect(onPage).not.toMatch(/Picky|\\"test\\"/);
    } finally {
      await off.close();
      await on.close();
    }
  });
});

describe('TRUST_PROXY', () => {
  it('reads X-Forwarded-For from the right: entries a client prepends do not get it new guesses', async () => {
    // One proxy (loopback) in front: the client is the entry the proxy appended, the rightmost.
    const server = await startTestServer({
      TRUST_PROXY: '1',
      SEED_USER: 'victim:correct horse battery',
      LOGIN_ATTEMPTS_PER_ADDRESS: '1000000',
    });
    try {
      const outcomes: string[] = [];
      for (let guess = 0; guess < 14; guess++) {
        const response = await rawRequest(`${server.url}/graphql`, {
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.${guess}.1, 203.0.113.7` },
          body: JSON.stringify({ query: LOG_IN, variables: { u: 'victim', p: `wrong${guess}` } }),
        });
        const body = JSON.parse(response.body);
        outcomes.push(body.data?.logIn?.code ?? body.errors?.[0]?.extensions?.code);
      }
      expect(outcomes.slice(0, 10)).toEqual(Array(10).fill('INVALID_CREDENTIALS'));
      expect(outcomes.slice(10)).toEqual(Array(4).fill('TOO_MANY_REQUESTS'));
    } finally {
      await server.close();
    }
  });

  it('ignores X-Forwarded-For entirely when unset', async () => {
    const server = await startTestServer({ SEED_USER: 'victim:correct horse battery' });
    try {
      const codes: string[] = [];
      for (let guess = 0; guess < 12; guess++) {
        const response = await rawRequest(`${server.url}/graphql`, {
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${guess}` },
          body: JSON.stringify({ query: LOG_IN, variables: { u: 'victim', p: `wrong${guess}` } }),
        });
        const body = JSON.parse(response.body);
        codes.push(body.data?.logIn?.code ?? body.errors?.[0]?.extensions?.code);
      }
      expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
    } finally {
      await server.close();
    }
  });
});

describe('console output', () => {
  it('becomes one pino JSON line per call, with query strings cut and newlines escaped', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const restore = routeConsoleTo(pino({ level: 'debug' }, sink));
    try {
      console.error('[ERROR] Could not render /login?next=%0a{"level":60,"msg":"forged"}\nsecond line');
      console.warn(new Error('bad /files/a.png?exp=1&sig=secret'));
    } finally {
      restore();
    }
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, any>);
    expect(first).toMatchObject({ level: 50, source: 'console', msg: '[ERROR] Could not render /login?…\nsecond line' });
    expect(second!.level).toBe(40);
    expect(JSON.stringify(second)).not.toContain('secret');
    expect(redactConsoleText('see http://x.example/a?b=c and /p?q')).toBe('see http://x.example/a?… and /p?…');
  });
});

describe.skipIf(!SITE_BUILT)('the real server with the built site', () => {
  let child: ChildServer;
  let dataDir: string;
  const rawLines: string[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pixpress-web-'));
    child = await startChildServer(dataDir, { SEED_USER: 'Picky:test' });
    let buffered = '';
    child.process.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      rawLines.push(...parts.filter(Boolean));
    });
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sends pages with the security headers and a CSP that has frame-ancestors and no unsafe-inline scripts', async () => {
    const response = await fetch(`${child.url}/login`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/script-src 'self'/);
    expect(/script-src[^;]*'unsafe-inline'/.test(csp)).toBe(false);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('shows /login and /logout to a malformed cookie instead of a 500', async () => {
    const login = await fetch(`${child.url}/login`, { headers: { cookie: 'pixpress_session=%' }, redirect: 'manual' });
    expect(login.status).toBe(200);
    const home = await fetch(`${child.url}/`, { headers: { cookie: 'pixpress_session=%' }, redirect: 'manual' });
    expect(home.status).toBe(303);
    const logout = await fetch(`${child.url}/logout`, {
      method: 'POST',
      headers: { cookie: 'pixpress_session=%', origin: child.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(logout.status).toBe(303);
  });

  it('redirects after log-in only to paths on this origin', async () => {
    for (const [next, expected] of [
      ['/\t/evil.example', '/'],
      ['/\n/evil.example', '/'],
      ['/%09/evil.example', '/%09/evil.example'],
      ['//evil.example/', '/'],
      ['/\\evil.example', '/'],
      ['https://evil.example/', '/'],
      ['/images/x?tag=a', '/images/x?tag=a'],
      ['/a%00%0d%0aSet-Cookie:x=1', '/a%00%0d%0aSet-Cookie:x=1'],
      ['/a\u0000\r\nSet-Cookie:x=1', '/a%00Set-Cookie:x=1'],
    ]) {
      const response = await fetch(`${child.url}/login?next=${encodeURIComponent(next!)}`, {
        method: 'POST',
        headers: { origin: child.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'Picky', password: 'test', next: next! }).toString(),
        redirect: 'manual',
      });
      expect(response.status, next).toBe(303);
      expect(response.headers.get('location'), next).toBe(expected);
      expect(response.headers.get('set-cookie') ?? '', next).not.toMatch(/x=1/);
    }
  });

  it("writes every log line as JSON from pino, Astro's errors included", async () => {
    const response = await fetch(`${child.url}/images/%?next=%0a{"forged":1}`);
    expect(response.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rawLines.length).toBeGreaterThan(3);
    const parsed = rawLines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { unparsed: line };
      }
    });
    expect(parsed.filter((line) => 'unparsed' in line)).toEqual([]);
    expect(
      parsed.some((line) => line.source === 'console' && line.level === 50),
      rawLines.slice(-5).join('\n'),
    ).toBe(true);
    expect(rawLines.join('\n')).not.toContain('"forged"');
  });
});
