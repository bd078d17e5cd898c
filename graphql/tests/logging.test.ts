// The request log, read from the app's own logger (the production pino settings, written to a
// stream): one JSON line per request with its id, operation, status and duration, and never a
// password, token, cookie or URL signature.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { CSRF, startTestServer, uploadImage, type TestServer } from './harness.ts';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  method?: string;
  path?: string;
  route?: string;
  operation?: string;
  status?: number;
  durationMs?: number;
  errors?: string[];
  [key: string]: unknown;
}

const PASSWORD = 'Sw0rdfish-and-chips-42';
const USERNAME = 'logwatcher';

describe('request logs', () => {
  let server: TestServer;
  const raw: string[] = [];
  const lines = () => raw.map((text) => JSON.parse(text) as LogLine);
  const requestLine = async (reqId: string): Promise<LogLine> => {
    // The line is written when the response closes, which can be a moment after the client has it.
    for (let attempt = 0; attempt < 500; attempt++) {
      const line = lines().find((entry) => entry.msg === 'request' && entry.reqId === reqId);
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no log line for request ${reqId}`);
  };

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    server = await startTestServer({ LOG_LEVEL: 'info', MAX_UPLOAD_BYTES: '20000' }, undefined, { logStream: stream });
  });
  afterAll(() => server.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('writes one JSON line per request with id, operation, status and duration, and echoes the id', async () => {
    const response = await post({ query: 'query Health { __typename }' });
    expect(response.status).toBe(200);
    const reqId = response.headers.get('x-request-id');
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
    const line = await requestLine(reqId!);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'POST',
      path: '/graphql',
      route: 'graphql',
      operation: 'Health',
      status: 200,
    });
    expect(line.durationMs).toBeGreaterThan(0);
    expect(lines().filter((entry) => entry.reqId === reqId)).toHaveLength(1);
  });

  it('honours a sane incoming X-Request-Id and replaces anything else', async () => {
    const kept = await post({ query: '{ __typename }' }, { 'x-request-id': 'proxy-1234.abc:9' });
    expect(kept.headers.get('x-request-id')).toBe('proxy-1234.abc:9');
    expect((await requestLine('proxy-1234.abc:9')).operation).toBe('anonymous');

    for (const bad of ['has spaces in it', 'x'.repeat(129), 'quote"brace{']) {
      const replaced = await post({ query: '{ __typename }' }, { 'x-request-id': bad });
      const id = replaced.headers.get('x-request-id');
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await requestLine(id!);
    }
    expect(raw.join('\n')).not.toContain('has spaces in it');
  });

  it('names the executed operation even when the client sends no operationName, and the one chosen among several', async () => {
    const chosen = await post({ query: 'query First { __typename } query Second { __typename }', operationName: 'Second' });
    expect((await requestLine(chosen.headers.get('x-request-id')!)).operation).toBe('Second');
  });

  it('logs the error codes of a failed operation, and other routes by route', async () => {
    const response = await post({ query: 'query Gallery { images { totalCount } }' });
    const line = await requestLine(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ operation: 'Gallery', status: 200, errors: ['UNAUTHENTICATED'] });

    const health = await fetch(`${server.url}/healthz`);
    expect(await requestLine(health.headers.get('x-request-id')!)).toMatchObject({ route: 'healthz', path: '/healthz', status: 200 });
    const missing = await fetch(`${server.url}/no/such/page?x=1`);
    const siteLine = await requestLine(missing.headers.get('x-request-id')!);
    expect(siteLine).toMatchObject({ route: 'site', path: '/no/such/page', status: 404 });
    expect(siteLine.operation).toBeUndefined();
  });

  it('never writes passwords, tokens, cookies or signatures', async () => {
    const signUp = await post({
      query: 'mutation SignUp($u: String!, $p: String!) { signUp(username: $u, password: $p) { ... on AuthPayload { token } } }',
      variables: { u: USERNAME, p: PASSWORD },
    });
    const token = ((await signUp.json()) as { data: { signUp: { token: string } } }).data.signUp.token;
    expect(token.length).toBeGreaterThan(20);
    const logIn = await post({
      query:
        'mutation LogIn($u: String!, $p: String!) { logIn(username: $u, password: $p) { ... on AuthPayload { token } ... on Error { code } } }',
      variables: { u: USERNAME, p: PASSWORD },
    });
    const freshToken = ((await logIn.json()) as { data: { logIn: { token: string } } }).data.logIn.token;
    // A wrong password is logged as a request like any other, without the password.
    const wrong = await post({
      query: 'mutation LogIn($u: String!, $p: String!) { logIn(username: $u, password: $p) { ... on Error { code } } }',
      variables: { u: USERNAME, p: `${PASSWORD}-wrong` },
    });
    expect(await requestLine(wrong.headers.get('x-request-id')!)).toMatchObject({ operation: 'LogIn', status: 200 });

    const credentials: Array<Record<string, string>> = [
      { authorization: `Bearer ${token}` },
      { cookie: `pixpress_session=${freshToken}; theme=dark` },
    ];
    for (const headers of credentials) {
      const me = await post({ query: 'query Me { me { username } }' }, headers);
      expect(await me.json()).toEqual({ data: { me: { username: USERNAME } } });
      await requestLine(me.headers.get('x-request-id')!);
    }
    // Variables in a GET query string (refused by CSRF prevention, but logged).
    const getUrl = `${server.url}/graphql?query=${encodeURIComponent('mutation($p: String!) { logIn(username: "x", password: $p) { __typename } }')}&variables=${encodeURIComponent(JSON.stringify({ p: PASSWORD }))}`;
    const viaGet = await fetch(getUrl);
    expect((await requestLine(viaGet.headers.get('x-request-id')!)).path).toBe('/graphql');

    const image = await uploadImage(server, token, await makeImage(40, 30, 'png'), 'secret-name.png');
    expect(image.__typename).toBe('Image');
    const signature = new URL(image.url, server.url).searchParams.get('sig')!;
    const file = await fetch(new URL(image.url, server.url));
    expect(file.status).toBe(200);
    const fileLine = await requestLine(file.headers.get('x-request-id')!);
    expect(fileLine.route).toBe('files');
    expect(fileLine.path).not.toContain('?');

    // Both log-ins (right and wrong password) and the multipart upload got their lines.
    expect(lines().filter((entry) => entry.operation === 'LogIn')).toHaveLength(2);
    expect(lines().some((entry) => entry.operation === 'Upload' && entry.status === 200)).toBe(true);

    const everything = raw.join('\n');
    for (const secret of [PASSWORD, token, freshToken, signature, token.split('.')[2]!, 'pixpress_session', 'theme=dark', 'Bearer']) {
      expect(everything).not.toContain(secret);
    }
    // Every line is one JSON object.
    for (const text of raw) expect(() => JSON.parse(text)).not.toThrow();
  });

  it('redacts credentials even if some code logs them by mistake', async () => {
    server.app.logger.info(
      { password: PASSWORD, token: 'tok-123', user: { password: PASSWORD }, headers: { authorization: 'Bearer abc', cookie: 'a=b' } },
      'careless',
    );
    const careless = lines().find((entry) => entry.msg === 'careless')!;
    expect(careless.password).toBe('[Redacted]');
    expect(careless.token).toBe('[Redacted]');
    expect(JSON.stringify(careless)).not.toContain(PASSWORD);
    expect(JSON.stringify(careless)).not.toContain('Bearer abc');
  });

  it('marks a multipart upload refused while parsing with its status and code', async () => {
    const huge = new Uint8Array(20_000 * 10 + 1024 * 1024 + 1);
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: 'mutation Big($file: Upload!) { uploadImage(file: $file) { __typename } }', variables: { file: null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([huge]), 'huge.jpg');
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers: CSRF, body: form });
    expect(response.status).toBe(413);
    const line = await requestLine(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 413, errors: ['PAYLOAD_TOO_LARGE'] });
  });
});
