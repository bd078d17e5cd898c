// CSRF and GraphQL abuse: requests a browser could be tricked into sending, and documents built to
// exhaust the server. Each is refused before any resolver runs, which the tests see two ways: the
// response has no `data` at all (execution never started), and mutations in it left no trace.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../../testkit/fixtures.ts';
import { CSRF, startTestServer, type TestServer } from '../harness.ts';
import { rawRequest } from './helpers.ts';

let server: TestServer;
let token: string;
let sequence = 0;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.signUp('abuse-owner', 'correct horse battery');
});

afterAll(async () => {
  await server?.close();
});

const userCount = async () => (await server.app.services.records.counts()).users;
const signUpField = (alias: string) => `${alias}: signUp(username: "abuse${++sequence}", password: "correct horse battery") { __typename }`;

interface Refusal {
  status: number;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function post(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Refusal> {
  const response = await rawRequest(`${server.url}/graphql`, { headers, body });
  let parsed: Refusal['body'] = {};
  try {
    parsed = JSON.parse(response.body);
  } catch {
    parsed = { errors: [{ message: response.body }] };
  }
  return { status: response.status, body: parsed };
}

/** Refused before execution: an error, no `data` key, and no user created. */
async function expectRefusedBeforeResolvers(send: () => Promise<Refusal>, pattern?: RegExp): Promise<Refusal> {
  const before = await userCount();
  const result = await send();
  expect(result.body.errors?.length, JSON.stringify(result.body).slice(0, 300)).toBeGreaterThan(0);
  expect('data' in result.body, JSON.stringify(result.body).slice(0, 300)).toBe(false);
  if (pattern) expect(result.body.errors![0]!.message).toMatch(pattern);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await userCount()).toBe(before);
  return result;
}

describe('CSRF', () => {
  const mutation = () => JSON.stringify({ query: `mutation { ${signUpField('a')} }` });

  it('refuses text/plain, urlencoded and multipart POSTs and GETs without the header, with 403', async () => {
    for (const contentType of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded']) {
      const result = await expectRefusedBeforeResolvers(() => post(mutation(), { 'content-type': contentType }));
      expect(result.status, contentType).toBe(403);
    }
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: `mutation($file: Upload!) { uploadImage(file: $file) { __typename } }`, variables: { file: null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([new Uint8Array(await makeImage(40, 30))]), 'x.jpg');
    const multipart = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(multipart.status).toBe(403);
    const listed = await server.gql(`{ images { totalCount } }`, {}, token);
    expect(listed.data?.images.totalCount).toBe(0);

    const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(get.status).toBe(403);
  });

  it('refuses an empty CSRF header like a missing one', async () => {
    const result = await expectRefusedBeforeResolvers(() => post(mutation(), { 'content-type': 'text/plain', 'x-graphql-yoga-csrf': '' }));
    expect(result.status).toBe(403);
  });

  it('never runs a mutation over GET, even with the header', async () => {
    const before = await userCount();
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent(`mutation { ${signUpField('a')} }`)}`, {
      headers: CSRF,
    });
    expect(response.status).toBe(405);
    expect(await userCount()).toBe(before);
  });

  it('answers no cross-origin request with CORS headers', async () => {
    const preflight = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-graphql-yoga-csrf',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('GraphQL abuse limits (graphql-armor)', () => {
  it('refuses a query deeper than 10, also through fragments, and cyclic introspection', async () => {
    // Image.compressions -> Compression.image -> Image.compressions … is a cycle in the schema.
    let selection = 'id';
    for (let level = 0; level < 6; level++) selection = `compressions { image { ${selection} } }`;
    const deep = `{ images { edges { node { ${selection} } } } }`;
    await expectRefusedBeforeResolvers(
      () => post(JSON.stringify({ query: deep }), { 'content-type': 'application/json', authorization: `Bearer ${token}` }),
      /depth/i,
    );
    const viaFragments = `{ images { edges { node { ...A } } } } fragment A on Image { compressions { image { compressions { image { ...B } } } } } fragment B on Image { compressions { image { compressions { image { compressions { id } } } } } }`;
    await expectRefusedBeforeResolvers(
      () => post(JSON.stringify({ query: viaFragments }), { 'content-type': 'application/json', authorization: `Bearer ${token}` }),
      /depth/i,
    );
    // Introspection is exempt from the depth count, but its cycles are cut by graphql-js.
    let cycle = 'name';
    for (let level = 0; level < 6; level++) cycle = `fields { type { ofType { fields { type { ${cycle} } } } } }`;
    await expectRefusedBeforeResolvers(
      () => post(JSON.stringify({ query: `{ __schema { types { ${cycle} } } }` })),
      /introspection depth/i,
    );
  });

  it('refuses more than 20 aliases, and runs none of the aliased mutations', async () => {
    const flood = `mutation { ${Array.from({ length: 21 }, (_, index) => signUpField(`a${index}`)).join(' ')} }`;
    await expectRefusedBeforeResolvers(() => post(JSON.stringify({ query: flood })), /alias/i);
    const queryFlood = `{ ${Array.from({ length: 200 }, (_, index) => `m${index}: me { id }`).join(' ')} }`;
    await expectRefusedBeforeResolvers(() => post(JSON.stringify({ query: queryFlood })), /alias/i);
  });

  it('refuses a document of more than 2000 tokens', async () => {
    const long = `mutation { ${signUpField('a')} ${'__typename '.repeat(2100)} }`;
    await expectRefusedBeforeResolvers(() => post(JSON.stringify({ query: long })), /token/i);
    // Within the 1 MB body limit, 100 000 tokens are refused just as fast.
    const huge = `{ ${'me { id } '.repeat(25_000)} }`;
    await expectRefusedBeforeResolvers(() => post(JSON.stringify({ query: huge })), /token/i);
  });

  it('refuses a query over the cost limit', async () => {
    const fields = 'id name width height bytes tags url thumbnailUrl createdAt updatedAt mimeType format';
    const costly = `{ ${Array.from({ length: 19 }, (_, index) => `i${index}: images(first: 100) { edges { node { ${fields} } } pageInfo { endCursor } }`).join(' ')} }`;
    await expectRefusedBeforeResolvers(() => post(JSON.stringify({ query: costly })), /cost/i);
  });

  it('refuses too many directives', async () => {
    const directives = `{ me @include(if: true) ${'@skip(if: false) '.repeat(30)} { id } }`;
    await expectRefusedBeforeResolvers(() => post(JSON.stringify({ query: directives })), /directive/i);
  });

  it('refuses batches: no operation of a JSON array is run', async () => {
    const batch = JSON.stringify([{ query: `mutation { ${signUpField('a')} }` }, { query: `mutation { ${signUpField('b')} }` }]);
    const result = await expectRefusedBeforeResolvers(() => post(batch));
    expect(result.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a JSON body over 1 MB with 413, and does not parse it', async () => {
    const body = JSON.stringify({ query: `mutation { ${signUpField('a')} }`, variables: { pad: 'x'.repeat(1024 * 1024) } });
    const result = await expectRefusedBeforeResolvers(() => post(body));
    expect(result.status).toBe(413);
  });

  it('refuses a flood of tags within the body limit in bounded time', async () => {
    const uploaded = await server.multipart(
      `mutation($file: Upload!) { uploadImage(file: $file) { ... on Image { id } } }`,
      { file: null },
      { file: { data: await makeImage(60, 40), filename: 'tagged.jpg' } },
      token,
    );
    const id = uploaded.data?.uploadImage.id;
    // 110 000 distinct tags: about 0.7 MB, under the 1 MB body limit.
    const tags = Array.from({ length: 110_000 }, (_, index) => index.toString(36));
    // Bounded time, like every bad input: refused within 5 s (far longer when the tags were
    // compared with each other before the count was checked).
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation($id: ID!, $tags: [String!]) { updateImage(id: $id, tags: $tags) { __typename ... on ValidationError { field } } }`,
        variables: { id, tags },
      }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(((await response.json()) as { data?: unknown }).data).toEqual({ updateImage: { __typename: 'ValidationError', field: 'tags' } });
    const image = await server.gql(`query($id: ID!) { image(id: $id) { tags } }`, { id }, token);
    expect(image.data?.image.tags).toEqual([]);
  });

  it('gives no field suggestions that would map the schema', async () => {
    const result = await expectRefusedBeforeResolvers(() => post(JSON.stringify({ query: '{ imagez { totalCount } }' })));
    expect(result.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(result.body)).not.toMatch(/did you mean/i);
  });

  it('still answers normal queries after all of the above', async () => {
    const result = await server.gql('{ me { username } }', {}, token);
    expect(result.data?.me).toEqual({ username: 'abuse-owner' });
  });
});

describe('GraphQL over HTTP conformance (graphql-http server audit)', () => {
  it('passes every MUST audit', async () => {
    // GETs carry the CSRF header, as every client of this server must send it on GET.
    const fetchWithCsrf: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('x-graphql-yoga-csrf', '1');
      return fetch(input, { ...init, headers });
    };
    const audits = serverAudits({ url: `${server.url}/graphql`, fetchFn: fetchWithCsrf });
    const results: Array<Awaited<ReturnType<(typeof audits)[number]['fn']>>> = [];
    for (const audit of audits) results.push(await audit.fn());
    const failed = (level: string) => results.filter((result) => result.status !== 'ok' && result.name.startsWith(level));
    const summary = ['MUST', 'SHOULD', 'MAY'].map((level) => {
      const all = results.filter((result) => result.name.startsWith(level)).length;
      return `${level} ${all - failed(level).length}/${all}`;
    });
    console.info(`[hardening] graphql-http audit: ${results.length} audits; passed ${summary.join(', ')}`);
    for (const result of [...failed('SHOULD'), ...failed('MAY')]) console.info(`  not met: ${result.name}`);
    expect(failed('MUST').map((result) => `${result.name}: ${'reason' in result ? result.reason : ''}`)).toEqual([]);
  });
});
