// Property-based tests (fast-check, fixed seeds) against a real server: any Unicode in names, tags
// and searches; ids and cursors of any shape; signed file URLs altered in any way; and one user's
// ids in another user's hands.
import { writeFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../../testkit/fixtures.ts';
import { startTestServer, uploadImage, type GraphQLResponse, type TestServer } from '../harness.ts';

const SEED = 20261126;
const RUNS = 150;
let server: TestServer;
let alice: string;
let bob: string;
let aliceImage: Record<string, any>;
let aliceCompression: Record<string, any>;
let bobImageId: string;
let canary: string;
const tally: Record<string, number> = {};

const count = (property: string) => (tally[property] = (tally[property] ?? 0) + 1);
const PARAMS = { seed: SEED, numRuns: RUNS, endOnFailure: true };

beforeAll(async () => {
  server = await startTestServer({ QUOTA_IMAGES: '50', QUOTA_FILES: '500' });
  alice = await server.signUp('prop-alice', 'correct horse battery');
  bob = await server.signUp('prop-bob', 'correct horse battery');
  aliceImage = await uploadImage(server, alice, await makeImage(200, 150, 'jpeg'), 'alice.jpg', { tags: ['mine'] });
  const compressed = await server.gql(
    `mutation($id: ID!) { compressImage(imageId: $id, options: { width: 100, quality: 60, format: WEBP }) { ... on Compression { id url } ... on Error { code message } } }`,
    { id: aliceImage.id },
    alice,
  );
  aliceCompression = compressed.data!.compressImage;
  expect(aliceCompression.id).toBeTruthy();
  bobImageId = (await uploadImage(server, bob, await makeImage(120, 90, 'png'), 'bob.png')).id;
  // A file right beside the data folder: no URL, however built, may serve it.
  canary = join(dirname(server.dataDir), `pixpress-canary-${process.pid}.jpg`);
  await writeFile(canary, 'CANARY-SECRET');
});

afterAll(async () => {
  const total = Object.values(tally).reduce((sum, value) => sum + value, 0);
  console.info(
    `[hardening] properties: ${total} generated cases (seed ${SEED}): ${Object.entries(tally)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}`,
  );
  await rm(canary, { force: true });
  await server?.close();
});

/** No 5xx, no masked crash: every answer is data or an intended, coded error. */
function expectNoCrash(result: GraphQLResponse): void {
  expect(result.status).toBeLessThan(500);
  for (const error of result.errors ?? []) {
    expect(error.message).not.toBe('Unexpected error.');
    expect(error.extensions?.code, error.message).toBeTruthy();
  }
}

// Strings of any Unicode, with the awkward parts made likely: controls, bidi overrides, combining
// marks, lone surrogates, NUL, emoji, RTL text, very long runs.
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\u202e',
      '\u2066',
      '\u0301',
      '\ud800',
      '\udfff',
      '\u200b',
      'é',
      'e\u0301',
      '👩‍👩‍👧',
      'ﷺ',
      'ا',
      '\n',
      '\t',
      ' ',
      '%',
      '_',
      '\\',
      '"',
      "'",
      '<',
      '/',
    ),
    maxLength: 40,
  }),
  fc.string({ unit: 'binary', minLength: 190, maxLength: 260 }),
);

describe('names, tags and searches of any Unicode', () => {
  it('updateImage stores a cleaned name and tags or answers ValidationError, and the image is then found by its name', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.array(anyText, { maxLength: 4 }), async (name, tags) => {
        count('names and tags');
        const result = await server.gql(
          `mutation($id: ID!, $name: String, $tags: [String!]) { updateImage(id: $id, name: $name, tags: $tags) { __typename ... on Image { name tags } ... on ValidationError { field } } }`,
          { id: aliceImage.id, name, tags },
          alice,
        );
        expectNoCrash(result);
        const outcome = result.data?.updateImage;
        expect(['Image', 'ValidationError']).toContain(outcome?.__typename);
        if (outcome.__typename === 'ValidationError') {
          expect(['name', 'tags']).toContain(outcome.field);
          return;
        }
        // Stored names carry no control characters or bidi overrides and are NFC.
        for (const value of [outcome.name, ...outcome.tags]) {
          expect(value).not.toMatch(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u);
          expect(value).toBe(value.normalize('NFC'));
          expect(value).toBe(value.trim());
          expect(value.length).toBeGreaterThan(0);
        }
        expect([...outcome.name].length).toBeLessThanOrEqual(200);
        const found = await server.gql(`query($s: String) { images(search: $s) { edges { node { id } } } }`, { s: outcome.name }, alice);
        expect(found.data?.images.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(aliceImage.id);
      }),
      PARAMS,
    );
  });

  it('images(search, tag) answers a page for any string, and never someone else’s image', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(anyText), fc.option(anyText), async (search, tag) => {
        count('searches');
        const result = await server.gql(
          `query($s: String, $t: String) { images(search: $s, tag: $t) { totalCount edges { node { id } } } }`,
          { s: search, t: tag },
          bob,
        );
        expectNoCrash(result);
        expect(result.errors).toBeUndefined();
        const ids = result.data!.images.edges.map((edge: { node: { id: string } }) => edge.node.id);
        expect(ids).not.toContain(aliceImage.id);
        expect(ids.length).toBe(result.data!.images.totalCount);
      }),
      PARAMS,
    );
  });
});

describe('ids and cursors of any shape', () => {
  const anyId = fc.oneof(
    anyText,
    fc.uuid(),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '../..', '', ' ', '0', '-1', 'null'),
  );

  it('unknown ids are null or NotFoundError on every field that takes one', async () => {
    await fc.assert(
      fc.asyncProperty(anyId, async (id) => {
        count('ids');
        const result = await server.gql(`query($id: ID!) { image(id: $id) { id } compression(id: $id) { id } }`, { id }, alice);
        expectNoCrash(result);
        expect(result.data).toEqual({ image: null, compression: null });
        const mutations = await server.gql(
          `mutation($id: ID!) {
            deleteImage(id: $id) { __typename }
            deleteCompression(id: $id) { __typename }
            updateImage(id: $id, name: "x") { __typename }
            compressImage(imageId: $id, options: { quality: 50 }) { __typename }
          }`,
          { id },
          alice,
        );
        expectNoCrash(mutations);
        expect(mutations.data).toEqual({
          deleteImage: { __typename: 'NotFoundError' },
          deleteCompression: { __typename: 'NotFoundError' },
          updateImage: { __typename: 'NotFoundError' },
          compressImage: { __typename: 'NotFoundError' },
        });
      }),
      PARAMS,
    );
  });

  it('any cursor gives a page or a VALIDATION error, never a crash', async () => {
    const cursor = fc.oneof(
      anyText,
      fc.base64String({ maxLength: 80 }),
      fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
      fc
        .tuple(fc.oneof(fc.string(), fc.double(), fc.integer()), fc.oneof(fc.string(), fc.integer()))
        .map((pair) => Buffer.from(JSON.stringify(pair)).toString('base64url')),
    );
    const orders = fc.constantFrom('NEWEST', 'OLDEST', 'NAME', 'LARGEST', 'SMALLEST');
    await fc.assert(
      fc.asyncProperty(cursor, orders, fc.integer({ min: -5, max: 200 }), async (after, orderBy, first) => {
        count('cursors');
        const result = await server.gql(
          `query($a: String, $o: ImageOrder, $f: Int) { images(after: $a, orderBy: $o, first: $f) { edges { node { id } } pageInfo { hasNextPage } } }`,
          { a: after, o: orderBy, f: first },
          alice,
        );
        expectNoCrash(result);
        if (result.errors) expect(result.errors[0]!.extensions?.code).toBe('VALIDATION');
        else expect(result.data!.images.edges.length).toBeLessThanOrEqual(1);
      }),
      PARAMS,
    );
  });
});

describe('signed file URLs altered in any way', () => {
  const fetchPath = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, body };
  };

  it('the unaltered URLs work (the control)', async () => {
    for (const url of [aliceImage.url, aliceImage.thumbnailUrl, aliceCompression.url]) expect((await fetchPath(url)).status).toBe(200);
  });

  it('no alteration of path, expiry or signature is accepted, and nothing outside DATA_DIR is served', async () => {
    const urls = [aliceImage.url as string, aliceImage.thumbnailUrl as string, aliceCompression.url as string];
    const alteration = fc.record({
      which: fc.integer({ min: 0, max: urls.length - 1 }),
      part: fc.constantFrom('path', 'exp', 'sig', 'query', 'whole'),
      position: fc.nat(),
      insert: fc.oneof(
        fc.constantFrom(
          '../',
          '..%2f',
          '%2e%2e/',
          '%2e%2e%2f',
          '//',
          '%00',
          '\\',
          '..\\',
          '/etc/passwd',
          '%252e%252e%252f',
          '?',
          '#',
          '&sig=',
          '&exp=9999999999',
          ';',
          '.',
          '%',
          'A',
          '0',
        ),
        fc.string({ maxLength: 8 }),
      ),
      drop: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(alteration, async ({ which, part, position, insert, drop }) => {
        count('signed URLs');
        const original = urls[which]!;
        const [path, query] = original.split('?') as [string, string];
        const params = new URLSearchParams(query);
        const splice = (text: string) => {
          const at = position % (text.length + 1);
          return text.slice(0, at) + encodeURI(insert).replace(/%25/g, '%') + text.slice(at + drop);
        };
        let altered: string;
        if (part === 'path') altered = `${splice(path)}?${query}`;
        else if (part === 'exp') altered = `${path}?exp=${splice(params.get('exp')!)}&sig=${params.get('sig')}`;
        else if (part === 'sig') altered = `${path}?exp=${params.get('exp')}&sig=${splice(params.get('sig')!)}`;
        else if (part === 'query') altered = `${path}?${splice(query)}`;
        else altered = splice(original);
        if (altered === original || !altered.startsWith('/')) return;
        const { status, body } = await fetchPath(altered);
        expect(body.toString('latin1')).not.toContain('CANARY-SECRET');
        if (status === 200) {
          // Only a harmless respelling of the same URL may be served (say `sig=...&` with a stray
          // parameter), and then it is the same file.
          const same = await fetchPath(original);
          expect(body.equals(same.body), altered).toBe(true);
        } else {
          expect([400, 403, 404, 405], altered).toContain(status);
        }
      }),
      { ...PARAMS, numRuns: RUNS * 2 },
    );
  });

  it('even a path signed with the real key cannot reach outside DATA_DIR or a file that is not ours', async () => {
    const signer = server.app.services.signer;
    const escaping = fc.oneof(
      fc.constantFrom(
        `../${canary.split('/').pop()}`,
        canary,
        `/${canary}`,
        '../../../../etc/passwd',
        'db.json',
        'jwt-secret',
        '.tmp/x',
        `${aliceImage.url.split('/')[2]}/../../${canary.split('/').pop()}`,
      ),
      fc
        .array(fc.constantFrom('..', '.', '', 'thumbnails', 'compressions', 'db.json', 'jwt-secret', '%2e%2e', canary.split('/').pop()!), {
          minLength: 1,
          maxLength: 6,
        })
        .map((parts) => parts.join('/')),
    );
    await fc.assert(
      fc.asyncProperty(escaping, async (relativePath) => {
        count('signed escapes');
        const url = signer.sign(relativePath);
        const { status, body } = await fetchPath(url);
        expect(body.toString('latin1')).not.toContain('CANARY-SECRET');
        expect([403, 404]).toContain(status);
      }),
      PARAMS,
    );
  });
});

describe('one user’s ids in another user’s hands', () => {
  it('are always NotFound or null, and change nothing', async () => {
    const operation = fc.constantFrom('image', 'compression', 'update', 'delete', 'deleteCompression', 'compress', 'preview');
    const target = fc.constantFrom('image', 'compression');
    await fc.assert(
      fc.asyncProperty(operation, target, async (op, which) => {
        count('cross-user');
        const id = which === 'image' ? aliceImage.id : aliceCompression.id;
        const queries: Record<string, [string, string]> = {
          image: ['query($id: ID!) { image(id: $id) { id } }', 'image'],
          compression: ['query($id: ID!) { compression(id: $id) { id } }', 'compression'],
          update: ['mutation($id: ID!) { updateImage(id: $id, name: "mine now") { __typename } }', 'updateImage'],
          delete: ['mutation($id: ID!) { deleteImage(id: $id) { __typename } }', 'deleteImage'],
          deleteCompression: ['mutation($id: ID!) { deleteCompression(id: $id) { __typename } }', 'deleteCompression'],
          compress: ['mutation($id: ID!) { compressImage(imageId: $id, options: { quality: 50 }) { __typename } }', 'compressImage'],
          preview: ['query($id: ID!) { previewCompression(imageId: $id, options: { quality: 50 }) { __typename } }', 'previewCompression'],
        };
        const [query, field] = queries[op]!;
        const result = await server.gql(query, { id }, bob);
        expectNoCrash(result);
        const value = result.data?.[field];
        if (op === 'image' || op === 'compression') expect(value).toBeNull();
        else expect(value).toEqual({ __typename: 'NotFoundError' });
      }),
      { ...PARAMS, numRuns: 60 },
    );
    // Alice's things are untouched.
    const mine = await server.gql(`query($id: ID!) { image(id: $id) { id compressions { id } } }`, { id: aliceImage.id }, alice);
    expect(mine.data?.image.compressions.map((compression: { id: string }) => compression.id)).toEqual([aliceCompression.id]);
    // And the reverse direction, once: Alice cannot see Bob's image either.
    expect((await server.gql(`query($id: ID!) { image(id: $id) { id } }`, { id: bobImageId }, alice)).data?.image).toBeNull();
  });
});
