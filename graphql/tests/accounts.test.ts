import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey } from '../auth/tokens.ts';
import { startTestServer, type TestServer } from './harness.ts';

const SIGN_UP = `mutation($u: String!, $p: String!) { signUp(username: $u, password: $p) {
  __typename ... on AuthPayload { token expiresAt user { id username } } ... on Error { code message } ... on ValidationError { field } } }`;
const LOG_IN = `mutation($u: String!, $p: String!) { logIn(username: $u, password: $p) {
  __typename ... on AuthPayload { token user { username } } ... on Error { code message } } }`;
const ME = `{ me { id username createdAt usage { images maxImages maxCompressionsPerImage files maxFiles bytes } } }`;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SEED_USER: 'Picky:test', TOKEN_TTL_SECONDS: '3600' });
});
afterAll(() => server.close());

describe('the seeded user', () => {
  it('logs in as Picky / test and sees empty usage with the default limits', async () => {
    const login = await server.gql(LOG_IN, { u: 'Picky', p: 'test' });
    expect(login.data?.logIn.__typename).toBe('AuthPayload');
    const me = await server.gql(ME, {}, login.data?.logIn.token);
    expect(me.data?.me.username).toBe('Picky');
    expect(me.data?.me.usage).toEqual({ images: 0, maxImages: 10, maxCompressionsPerImage: 10, files: 0, maxFiles: 110, bytes: 0 });
  });
});

describe('signUp', () => {
  it('creates a user and returns a token that expires after TOKEN_TTL_SECONDS', async () => {
    const before = Date.now();
    const result = await server.gql(SIGN_UP, { u: 'new.user_1', p: 'a good password' });
    const payload = result.data?.signUp;
    expect(payload.__typename).toBe('AuthPayload');
    expect(payload.user.username).toBe('new.user_1');
    const expiresIn = (Date.parse(payload.expiresAt) - before) / 1000;
    expect(expiresIn).toBeGreaterThan(3590);
    expect(expiresIn).toBeLessThanOrEqual(3601);
    const me = await server.gql(ME, {}, payload.token);
    expect(me.data?.me.id).toBe(payload.user.id);
  });

  it('refuses a username taken in any case', async () => {
    await server.gql(SIGN_UP, { u: 'CaseUser', p: 'a good password' });
    const result = await server.gql(SIGN_UP, { u: 'caseuser', p: 'another password' });
    expect(result.data?.signUp).toMatchObject({ __typename: 'UsernameTakenError', code: 'USERNAME_TAKEN' });
  });

  it('lets exactly one of many parallel sign-ups for the same name through', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => server.gql(SIGN_UP, { u: index % 2 ? 'racer' : 'RACER', p: 'a good password' })),
    );
    const types = results.map((result) => result.data?.signUp.__typename);
    expect(types.filter((type) => type === 'AuthPayload')).toHaveLength(1);
    expect(types.filter((type) => type === 'UsernameTakenError')).toHaveLength(7);
  });

  it.each([
    ['ab', 'a good password', 'username'],
    ['a'.repeat(33), 'a good password', 'username'],
    ['bad name', 'a good password', 'username'],
    ['émile', 'a good password', 'username'],
    ['okname', 'short', 'password'],
    ['okname', 'é'.repeat(37), 'password'],
  ])('refuses username %j / password %j with a ValidationError on %s', async (u, p, field) => {
    const result = await server.gql(SIGN_UP, { u, p });
    expect(result.data?.signUp).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
  });

  it('accepts a password of exactly 72 bytes', async () => {
    const result = await server.gql(SIGN_UP, { u: 'long_pw', p: 'é'.repeat(36) });
    expect(result.data?.signUp.__typename).toBe('AuthPayload');
  });
});

describe('logIn', () => {
  beforeAll(async () => {
    await server.gql(SIGN_UP, { u: 'Loginner', p: 'right password' });
  });

  it('logs in ignoring the case of the username', async () => {
    const result = await server.gql(LOG_IN, { u: 'loginner', p: 'right password' });
    expect(result.data?.logIn).toMatchObject({ __typename: 'AuthPayload', user: { username: 'Loginner' } });
  });

  it('gives the same error for a wrong password and an unknown user', async () => {
    const wrong = await server.gql(LOG_IN, { u: 'Loginner', p: 'wrong password' });
    const unknown = await server.gql(LOG_IN, { u: 'nobody-here', p: 'wrong password' });
    expect(wrong.data?.logIn).toEqual({
      __typename: 'InvalidCredentialsError',
      code: 'INVALID_CREDENTIALS',
      message: 'Wrong username or password.',
    });
    expect(unknown.data?.logIn).toEqual(wrong.data?.logIn);
  });

  it('refuses further attempts after 10 failures for one username from one address, before hashing', async () => {
    await server.gql(SIGN_UP, { u: 'throttled', p: 'right password' });
    for (let attempt = 0; attempt < 10; attempt++) {
      const result = await server.gql(LOG_IN, { u: 'throttled', p: `wrong ${attempt}` });
      expect(result.data?.logIn.code).toBe('INVALID_CREDENTIALS');
    }
    const refused = await server.gql(LOG_IN, { u: 'THROTTLED', p: 'right password' });
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions?.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another username from the same address is not affected.
    const other = await server.gql(LOG_IN, { u: 'Loginner', p: 'right password' });
    expect(other.data?.logIn.__typename).toBe('AuthPayload');
  });
});

describe('tokens', () => {
  let token: string;
  let userId: string;
  beforeAll(async () => {
    const result = await server.gql(SIGN_UP, { u: 'tokenuser', p: 'a good password' });
    token = result.data?.signUp.token;
    userId = result.data?.signUp.user.id;
  });

  const meWith = async (headers: Record<string, string>) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    return ((await response.json()) as { data: { me: { id: string } | null } }).data.me;
  };

  it('is accepted as a bearer token and as the session cookie', async () => {
    expect(await meWith({ authorization: `Bearer ${token}` })).toEqual({ id: userId });
    expect(await meWith({ cookie: `theme=dark; pixpress_session=${token}` })).toEqual({ id: userId });
    // GraphiQL's placeholder header is not a token: the cookie still counts. A bad token does not.
    expect(await meWith({ authorization: 'Bearer <token from logIn>', cookie: `pixpress_session=${token}` })).toEqual({ id: userId });
    expect(await meWith({ authorization: 'Bearer forged.token.value', cookie: `pixpress_session=${token}` })).toBeNull();
  });

  it('means signed out when altered, expired, foreign or malformed', async () => {
    const key = deriveKey(server.config.secret, 'access-token');
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, signingKey: Uint8Array = key, alg = 'HS256') =>
      new SignJWT(claims).setProtectedHeader({ alg }).sign(signingKey);
    const valid = { sub: userId, iss: 'pixpress', aud: 'pixpress-api', iat: now, exp: now + 600, jti: crypto.randomUUID(), ver: 0 };
    const { jti: _jti, ...withoutId } = valid;
    const [header, payload, signature] = token.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...valid, sub: 'someone-else' })).toString('base64url');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    const forged = [
      `${header}.${otherPayload}.${signature}`,
      unsigned,
      await sign({ ...valid, exp: now - 10, iat: now - 100 }),
      await sign({ ...valid, iss: 'elsewhere' }),
      await sign({ ...valid, aud: 'another-api' }),
      await sign({ sub: userId, iss: 'pixpress', aud: 'pixpress-api', iat: now }),
      // No token id (nothing logOut could end), and a token version the user has never had.
      await sign(withoutId),
      await sign({ ...valid, ver: 1 }),
      await sign({ ...valid, ver: '0' }),
      await sign(valid, new TextEncoder().encode('a different secret of at least 32 bytes')),
      await sign(valid, key, 'HS512'),
      'not-a-token',
    ];
    // The unaltered claims with the right key do work, so the refusals above are about the change.
    expect(await meWith({ authorization: `Bearer ${await sign(valid)}` })).toEqual({ id: userId });
    for (const bad of forged) {
      expect(await meWith({ authorization: `Bearer ${bad}` })).toBeNull();
      const images = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bad}` },
        body: JSON.stringify({ query: '{ images { totalCount } }' }),
      });
      const body = (await images.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});
