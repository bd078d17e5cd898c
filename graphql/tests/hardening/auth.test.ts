// Forged, altered and expired tokens; login throttling; and the same answer time for unknown users
// and wrong passwords. All against a real server and its real secret.
import { base64url, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey } from '../../auth/tokens.ts';
import { startTestServer, type TestServer } from '../harness.ts';
import { median } from './helpers.ts';

let server: TestServer;
let token: string;
let userId: string;
let otherUserId: string;
let tokenKey: Uint8Array;

const ME = '{ me { id username } }';
const IMAGES = '{ images(first: 1) { totalCount } }';
const LOG_IN = `mutation($u: String!, $p: String!) {
  logIn(username: $u, password: $p) { __typename ... on AuthPayload { token } ... on Error { code } }
}`;

beforeAll(async () => {
  server = await startTestServer();
  tokenKey = deriveKey(server.config.secret, 'access-token');
  token = await server.signUp('auth-victim', 'correct horse battery');
  userId = decodeJwt(token).sub!;
  otherUserId = decodeJwt(await server.signUp('auth-other', 'correct horse battery')).sub!;
});

afterAll(async () => {
  await server?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({
  sub: userId,
  iss: 'pixpress',
  aud: 'pixpress-api',
  iat: now(),
  exp: now() + 3600,
  jti: crypto.randomUUID(),
  ver: 0,
});

async function sign(payload: Record<string, unknown>, key: Uint8Array | CryptoKey = tokenKey, alg = 'HS256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
}

function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

async function forgedTokens(): Promise<Array<[string, string]>> {
  const valid = await sign(claims());
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const otherKey = deriveKey(server.config.secret, 'file-url');
  const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
  const { exp: _exp, ...withoutExp } = claims();
  const { iat: _iat, ...withoutIat } = claims();
  const { sub: _sub, ...withoutSub } = claims();
  return [
    ['alg none, no signature', unsigned({ alg: 'none', typ: 'JWT' }, claims())],
    ['alg none, the real signature kept', unsigned({ alg: 'none', typ: 'JWT' }, claims(), signature)],
    ['alg NONE (case)', unsigned({ alg: 'NONE', typ: 'JWT' }, claims())],
    ['HS512 with the real key', await sign(claims(), tokenKey, 'HS512')],
    ['HS384 with the real key', await sign(claims(), tokenKey, 'HS384')],
    ['RS256 with a generated key', await sign(claims(), rsa.privateKey as CryptoKey, 'RS256')],
    ['ES256 with a generated key', await sign(claims(), ec.privateKey as CryptoKey, 'ES256')],
    [
      'RS256 with an embedded jwk',
      await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(rsa.publicKey) }).sign(rsa.privateKey),
    ],
    ['HS256 with the file-URL key', await sign(claims(), otherKey)],
    ['HS256 with the raw secret', await sign(claims(), server.config.secret)],
    ['HS256 with a guessable key', await sign(claims(), new TextEncoder().encode('secret'))],
    ['payload altered: other sub', `${header}.${base64url.encode(JSON.stringify({ ...claims(), sub: otherUserId }))}.${signature}`],
    [
      'payload altered: later exp',
      `${header}.${base64url.encode(JSON.stringify({ ...decodeJwt(valid), exp: now() + 999_999 }))}.${signature}`,
    ],
    ['payload altered: one character', `${header}.${flip(payload, 10)}.${signature}`],
    [
      'header altered: kid added',
      `${base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: '../../jwt-secret' }))}.${payload}.${signature}`,
    ],
    ['signature altered: one character', `${header}.${payload}.${flip(signature, 5)}`],
    ['signature truncated', `${header}.${payload}.${signature.slice(0, -4)}`],
    ['signature removed', `${header}.${payload}.`],
    ['expired', await sign({ ...claims(), iat: now() - 7200, exp: now() - 3600 })],
    ['expired a second ago', await sign({ ...claims(), exp: now() - 1 })],
    ['not yet valid (nbf)', await sign({ ...claims(), nbf: now() + 3600 })],
    ['wrong issuer', await sign({ ...claims(), iss: 'evil' })],
    ['no issuer', await sign({ ...claims(), iss: undefined })],
    ['wrong audience', await sign({ ...claims(), aud: 'pixpress-admin' })],
    ['audience list without ours', await sign({ ...claims(), aud: ['other', 'api'] })],
    ['no audience', await sign({ ...claims(), aud: undefined })],
    ['missing exp', await sign(withoutExp)],
    ['missing iat', await sign(withoutIat)],
    ['missing sub', await sign(withoutSub)],
    ['empty sub', await sign({ ...claims(), sub: '' })],
    ['sub of no user', await sign({ ...claims(), sub: '00000000-0000-4000-8000-000000000000' })],
    ['sub __proto__', await sign({ ...claims(), sub: '__proto__' })],
    ['exp as a string', await sign({ ...claims(), exp: String(now() + 3600) })],
    ['two tokens joined', `${valid}.${valid}`],
    ['garbage', 'not-a-token'],
    ['empty segments', '..'],
    ['huge', 'a'.repeat(6000)],
  ];
}

describe('access tokens', () => {
  it('a valid token works (the control for everything below)', async () => {
    const result = await server.gql(ME, {}, token);
    expect(result.data?.me).toEqual({ id: userId, username: 'auth-victim' });
  });

  it('treats every forged, altered, expired or mis-addressed token as signed out, by header and by cookie', async () => {
    const cases = await forgedTokens();
    expect(cases.length).toBeGreaterThanOrEqual(35);
    const accepted: string[] = [];
    for (const [label, forged] of cases) {
      const byHeader = await server.gql(ME, {}, forged);
      const images = await server.gql(IMAGES, {}, forged);
      const byCookie = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `pixpress_session=${encodeURIComponent(forged)}` },
        body: JSON.stringify({ query: ME }),
      }).then((response) => response.json() as Promise<{ data?: { me: unknown } }>);
      if (byHeader.status !== 200 || byHeader.data?.me !== null)
        accepted.push(`${label}: header gave ${JSON.stringify(byHeader.data ?? byHeader.errors)}`);
      if (images.errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED')
        accepted.push(`${label}: images gave ${JSON.stringify(images.data ?? images.errors)}`);
      if (byCookie.data?.me !== null) accepted.push(`${label}: cookie gave ${JSON.stringify(byCookie)}`);
    }
    expect(accepted).toEqual([]);
    console.info(`[hardening] auth: ${cases.length} forged tokens, 0 accepted`);
  });

  it('ignores malformed Authorization headers', async () => {
    for (const authorization of [
      'Bearer',
      'Bearer ',
      `Basic ${token}`,
      `Bearer ${token} extra`,
      `Token ${token}`,
      `Bearer\u0000${token}`.replace('\u0000', ' x'),
    ]) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: ME }),
      });
      const body = (await response.json()) as { data?: { me: unknown } };
      expect(body.data?.me, authorization.slice(0, 12)).toBeNull();
    }
  });
});

describe('login throttling', () => {
  it('refuses the 11th attempt within the window with TOO_MANY_REQUESTS, even with the right password', async () => {
    await server.signUp('throttled', 'correct horse battery');
    for (let attempt = 1; attempt <= 10; attempt++) {
      const result = await server.gql(LOG_IN, { u: 'throttled', p: `wrong ${attempt}` });
      expect(result.data?.logIn.code, `attempt ${attempt}`).toBe('INVALID_CREDENTIALS');
    }
    const locked = await server.gql(LOG_IN, { u: 'throttled', p: 'correct horse battery' });
    expect(locked.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
    expect(locked.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(800);
    // The username is matched without case: changing it does not buy more attempts.
    const recased = await server.gql(LOG_IN, { u: 'THROTTLED', p: 'wrong again' });
    expect(recased.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
    // Another user from the same address is not locked out.
    const other = await server.gql(LOG_IN, { u: 'auth-other', p: 'correct horse battery' });
    expect(other.data?.logIn.__typename).toBe('AuthPayload');
  });

  it('throttles unknown usernames the same way (no hint that a name exists)', async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const result = await server.gql(LOG_IN, { u: 'nobody-here', p: `guess ${attempt}` });
      expect(result.data?.logIn.code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await server.gql(LOG_IN, { u: 'nobody-here', p: 'guess 11' });
    expect(locked.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
  });

  it('refuses 100 parallel guesses beyond the first 10 (no race past the limit)', async () => {
    await server.signUp('raced', 'correct horse battery');
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) => server.gql(LOG_IN, { u: 'raced', p: `parallel ${index}` })),
    );
    const checked = results.filter((result) => result.data?.logIn.code === 'INVALID_CREDENTIALS').length;
    const refused = results.filter((result) => result.errors?.[0]?.extensions?.code === 'TOO_MANY_REQUESTS').length;
    console.info(`[hardening] throttle race: 100 parallel wrong passwords, ${checked} checked, ${refused} refused`);
    expect(checked + refused).toBe(100);
    expect(checked).toBeLessThanOrEqual(10);
  });
});

describe('login timing', () => {
  it('answers an unknown user and a wrong password in the same time (median ratio per round within 10 %)', async () => {
    // Ten users, each with fewer failures than the throttle allows.
    const users = Array.from({ length: 10 }, (_, index) => `timing-${index}`);
    for (const user of users) await server.signUp(user, 'correct horse battery');
    const time = async (username: string) => {
      const started = performance.now();
      const result = await server.gql(LOG_IN, { u: username, p: 'not the password' });
      const elapsed = performance.now() - started;
      expect(result.data?.logIn.code).toBe('INVALID_CREDENTIALS');
      return elapsed;
    };
    await time('warm-up-unknown');
    await time(users[0]!);
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Interleaved, so drift in machine load falls on both sides alike.
    for (let round = 0; round < 40; round++) {
      unknown.push(await time(`ghost-${round}`));
      wrong.push(await time(users[round % users.length]!));
    }
    const unknownMedian = median(unknown);
    const wrongMedian = median(wrong);
    // Each round's two answers ran back to back under the same load: the median of their ratios
    // is what a client timing its guesses would see, with the machine's load drift taken out.
    const ratio = median(unknown.map((elapsed, round) => elapsed / wrong[round]!));
    console.info(
      `[hardening] login timing: unknown user median ${unknownMedian.toFixed(1)} ms, wrong password median ${wrongMedian.toFixed(1)} ms, median ratio per round ${ratio.toFixed(3)} (40 rounds)`,
    );
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);
  });
});
