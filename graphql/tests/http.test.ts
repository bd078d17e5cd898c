import { request as httpRequest } from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, uploadImage, type TestServer } from './harness.ts';
import { SCHEMA_VERSION } from '../store/embedded/document.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ MAX_UPLOAD_BYTES: String(1024 * 1024) });
  token = await server.signUp('httpuser');
});
afterAll(() => server.close());

const post = (body: BodyInit, headers: Record<string, string>) => fetch(`${server.url}/graphql`, { method: 'POST', headers, body });

describe('CSRF prevention', () => {
  const uploadForm = async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: 'mutation($f: Upload!) { uploadImage(file: $f) { __typename } }', variables: { f: null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob([new Uint8Array(await makeImage(40, 40))]), 'a.jpg');
    return form;
  };

  it('refuses multipart, text/plain and GET requests without the header with 403', async () => {
    expect((await post(await uploadForm(), { authorization: `Bearer ${token}` })).status).toBe(403);
    expect((await post(JSON.stringify({ query: '{ me { id } }' }), { 'content-type': 'text/plain' })).status).toBe(403);
    expect((await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`)).status).toBe(403);
  });

  it('refuses an empty header', async () => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { 'x-graphql-yoga-csrf': '' },
    });
    expect(response.status).toBe(403);
  });

  it('accepts them with either header, and JSON POSTs without', async () => {
    const multipart = await post(await uploadForm(), { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' });
    expect(await multipart.json()).toEqual({ data: { uploadImage: { __typename: 'Image' } } });
    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { username } }')}`, {
      headers: { 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${token}` },
    });
    expect(await get.json()).toEqual({ data: { me: { username: 'httpuser' } } });
    expect((await server.gql('{ me { username } }', {}, token)).data).toEqual({ me: { username: 'httpuser' } });
  });
});

describe('request limits', () => {
  it('refuses a JSON body over 1 MB with 413, declared or chunked', async () => {
    const big = JSON.stringify({ query: '{ me { id } }', variables: { padding: 'x'.repeat(1024 * 1024) } });
    const declared = await post(big, { 'content-type': 'application/json' });
    expect(declared.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/graphql`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      // The server may answer and close before the whole body is sent; only the answer matters.
      req.on('error', () => {});
      setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref();
      for (let offset = 0; offset < big.length; offset += 64 * 1024) req.write(big.slice(offset, offset + 64 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
  });

  it('answers 413 before reading a multipart body whose declared length is far over the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/graphql`,
        {
          method: 'POST',
          headers: {
            'content-type': 'multipart/form-data; boundary=x',
            'content-length': String(50 * 1024 * 1024),
            'x-graphql-yoga-csrf': '1',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', () => {});
      req.write('--x\r\n');
      setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref();
    });
    expect(status).toBe(413);
  });

  it('streams a large upload to FileTooLargeError without hanging', async () => {
    const started = Date.now();
    const result = await uploadImage(server, token, Buffer.alloc(3 * 1024 * 1024, 1), 'big.jpg');
    expect(result).toMatchObject({ __typename: 'FileTooLargeError', maxBytes: 1024 * 1024 });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses queries deeper than 10 levels before running them', async () => {
    const nest = (levels: number) => {
      let selection = 'id';
      for (let level = 0; level < levels; level++) selection = `compressions { image { ${selection} } }`;
      return `{ images { edges { node { ${selection} } } } }`;
    };
    expect((await server.gql(nest(2), {}, token)).errors).toBeUndefined();
    const tooDeep = await server.gql(nest(4), {}, token);
    expect(tooDeep.errors?.[0]?.message).toMatch(/depth/i);
    expect(tooDeep.data).toBeUndefined();
  });

  it('refuses alias floods before running them', async () => {
    const aliases = Array.from({ length: 30 }, (_, index) => `a${index}: me { id }`).join(' ');
    const flood = await server.gql(`{ ${aliases} }`, {}, token);
    expect(flood.errors?.[0]?.message).toMatch(/aliases/i);
    expect(flood.data).toBeUndefined();
  });

  it('refuses a long token stream before running it', async () => {
    const fields = Array.from({ length: 2100 }, () => '__typename').join(' ');
    const flood = await server.gql(`{ ${fields} }`, {}, token);
    expect(flood.errors?.[0]?.message).toMatch(/token limit/i);
    expect(flood.data).toBeUndefined();
  });

  it('refuses batched requests', async () => {
    const response = await post(JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]), {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(400);
  });
});

describe('errors', () => {
  it('keeps intended error codes and hides the rest', async () => {
    const unauthenticated = await server.gql('{ images { totalCount } }');
    expect(unauthenticated.errors?.[0]).toMatchObject({ message: 'You must be signed in.', extensions: { code: 'UNAUTHENTICATED' } });
    // A cursor that decodes to something odd reaches the resolver; whatever it throws is either
    // typed (VALIDATION) or masked, never a stack trace.
    const odd = await server.gql('{ images(after: "W251bGwsbnVsbF0") { totalCount } }', {}, token);
    expect(odd.errors?.[0]?.extensions?.code).toBe('VALIDATION');
    expect(JSON.stringify(odd)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('GraphiQL and health', () => {
  it('serves GraphiQL at /graphql to a browser', async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Pixpress GraphQL');
    expect(html).toContain('Authorization');
  });

  it('answers /healthz with each backend, 503 after a failed write, and rolls the failed write back', async () => {
    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
    const body = await healthy.json();
    expect(body).toMatchObject({ status: 'ok', records: { ok: true, status: 'ok' }, files: { ok: true, status: 'ok' } });
    if (server.app.services.records.backend !== 'embedded') return;
    expect(body.records.detail).toMatchObject({ backend: 'embedded', schemaVersion: SCHEMA_VERSION });
    expect(body.records.detail.documentBytes).toBeGreaterThan(0);
    // lowdb writes a temp file beside db.json and renames it; a folder in its place makes the
    // next write fail as a full or broken disk would.
    const blocker = join(server.dataDir, '.db.json.tmp');
    await mkdir(blocker);
    try {
      const refused = await server.gql(`mutation { signUp(username: "ghost", password: "correct horse battery") { __typename } }`);
      expect(refused.errors?.[0]?.message).toBe('Unexpected error.');
      const unhealthy = await fetch(`${server.url}/healthz`);
      expect(unhealthy.status).toBe(503);
      expect(await unhealthy.json()).toMatchObject({ status: 'unavailable', records: { ok: false, status: 'write-failed' } });
    } finally {
      await rm(blocker, { recursive: true });
    }
    // The account that could not be written does not exist in memory either (no ghost account).
    expect(await server.app.services.records.findUserByUsername('ghost')).toBeUndefined();
    const again = await server.gql(`mutation { signUp(username: "ghost", password: "correct horse battery") { __typename } }`);
    expect(again.data?.signUp.__typename).toBe('AuthPayload');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
