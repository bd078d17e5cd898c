// Anonymous floods (issue 12, point 1): a client that tries many usernames, or many sign-ups, from
// one address is refused cheaply with 429 once past its budget, and password hashing is bounded by
// a worker pool whose overflow is refused rather than queued behind the flood.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness.ts';
import { rawRequest } from './helpers.ts';

const LOG_IN = `mutation($u: String!, $p: String!) {
  logIn(username: $u, password: $p) { __typename ... on Error { code } }
}`;
const SIGN_UP = `mutation($u: String!, $p: String!) {
  signUp(username: $u, password: $p) { __typename ... on Error { code } }
}`;

interface Outcome {
  status: number;
  code: string;
}

/** One GraphQL POST, as a client at `forwardedFor` (believed only with TRUST_PROXY). */
async function call(server: TestServer, query: string, variables: Record<string, unknown>, forwardedFor?: string): Promise<Outcome> {
  const response = await rawRequest(`${server.url}/graphql`, {
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ query, variables }),
    timeoutMs: 60_000,
  });
  const body = JSON.parse(response.body) as {
    data?: Record<string, { __typename: string; code?: string }> | null;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
  const field = body.data ? Object.values(body.data)[0] : undefined;
  return { status: response.status, code: field ? (field.code ?? field.__typename) : (body.errors?.[0]?.extensions?.code ?? 'NONE') };
}

const tally = (outcomes: Outcome[]) => {
  const counts: Record<string, number> = {};
  for (const { code } of outcomes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
};
const randomName = (index: number) => `guess${index}x${Math.random().toString(36).slice(2, 8)}`;

describe('one address, many usernames', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ LOGIN_ATTEMPTS_PER_ADDRESS: '30', SIGNUPS_PER_ADDRESS_PER_HOUR: '20', PASSWORD_QUEUE_SIZE: '1000' });
  });
  afterAll(async () => server?.close());

  it('checks at most LOGIN_ATTEMPTS_PER_ADDRESS log-ins; the other 70 of 100 concurrent ones get 429 TOO_MANY_REQUESTS', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) => call(server, LOG_IN, { u: randomName(index), p: 'password1' })),
    );
    expect(tally(outcomes)).toEqual({ INVALID_CREDENTIALS: 30, TOO_MANY_REQUESTS: 70 });
    const refusedCount = outcomes.filter((outcome) => outcome.code === 'TOO_MANY_REQUESTS').length;
    console.info(
      `[hardening] anonymous: 100 concurrent log-ins with random usernames from one address: 30 checked, ${refusedCount} refused with 429`,
    );
    const refused = outcomes.filter((outcome) => outcome.code === 'TOO_MANY_REQUESTS');
    expect(new Set(refused.map((outcome) => outcome.status))).toEqual(new Set([429]));
  });

  it('lets one address create SIGNUPS_PER_ADDRESS_PER_HOUR accounts, then refuses with 429', async () => {
    const outcomes: Outcome[] = [];
    for (let index = 0; index < 25; index++)
      outcomes.push(await call(server, SIGN_UP, { u: `family${index}`, p: 'correct horse battery' }));
    expect(tally(outcomes)).toEqual({ AuthPayload: 20, TOO_MANY_REQUESTS: 5 });
    expect(outcomes.at(-1)!.status).toBe(429);
    expect(await server.app.services.records.findUserByUsername('family20')).toBeUndefined();
  });
});

describe('many addresses at once (behind a trusted proxy)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: 'loopback', PASSWORD_WORKERS: '1', PASSWORD_QUEUE_SIZE: '4' });
  });
  afterAll(async () => server?.close());

  it('hashes at most the pool plus its queue at once: the rest of 100 concurrent log-ins are refused with 429 at once', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) => call(server, LOG_IN, { u: randomName(index), p: 'password1' }, `198.51.100.${index + 1}`)),
    );
    const counts = tally(outcomes);
    console.info(
      `[hardening] anonymous: 100 concurrent log-ins from 100 addresses, 1 worker + 4 waiting: ${counts.INVALID_CREDENTIALS} checked, ${counts.TOO_MANY_REQUESTS} refused with 429`,
    );
    // One hash running and four waiting when the flood arrives; later arrivals find room as the
    // first ones finish, so a few more than five get through, never most of them.
    expect(counts.INVALID_CREDENTIALS).toBeGreaterThanOrEqual(5);
    expect(counts.INVALID_CREDENTIALS).toBeLessThan(50);
    expect(counts.TOO_MANY_REQUESTS! + counts.INVALID_CREDENTIALS!).toBe(100);
  });
});

describe('SIGNUP=closed', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SIGNUP: 'closed', SEED_USER: 'owner:owner-password' });
  });
  afterAll(async () => server?.close());

  it('refuses every sign-up with SIGNUP_CLOSED (403) and still lets existing users log in', async () => {
    const refused = await call(server, SIGN_UP, { u: 'newcomer', p: 'correct horse battery' });
    expect(refused).toEqual({ status: 403, code: 'SIGNUP_CLOSED' });
    expect(await server.app.services.records.findUserByUsername('newcomer')).toBeUndefined();
    expect((await call(server, LOG_IN, { u: 'owner', p: 'owner-password' })).code).toBe('AuthPayload');
  });
});
