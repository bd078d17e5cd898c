// deleteImages, tagImages and compressImages: several images at once, each handled on its own and reported in
// order; another user's ids, unknown ids and too many ids are refused without touching anything.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, storageProblems, storedKeys, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ QUOTA_IMAGES: '200' });
});
afterAll(() => server.close());

const DELETE = `mutation($ids: [ID!]!) { deleteImages(ids: $ids) {
  __typename
  ... on BulkDeleted { results { __typename ... on Deleted { id } ... on NotFoundError { code } } }
  ... on ValidationError { field message }
} }`;
const TAG = `mutation($ids: [ID!]!, $add: [String!], $remove: [String!]) { tagImages(ids: $ids, add: $add, remove: $remove) {
  __typename
  ... on BulkRetagged { results { __typename ... on Image { id tags } ... on NotFoundError { code } ... on ValidationError { field message } } }
  ... on ValidationError { field message }
} }`;

async function upload(token: string, count: number, tags: string[] = []): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++)
    ids.push((await uploadImage(server, token, await makeImage(60, 40), `b${index}.jpg`, { tags })).id);
  return ids;
}

describe('deleteImages', () => {
  it('deletes each of the caller’s images with its files, and reports another user’s and unknown ids as not found', async () => {
    const owner = await server.signUp('bulk-owner');
    const other = await server.signUp('bulk-other');
    const mine = await upload(owner, 3);
    const theirs = await upload(other, 1);
    const unknown = randomUUID();
    const result = await server.gql(DELETE, { ids: [mine[0], theirs[0], mine[1], unknown, mine[0]] }, owner);
    expect(result.data?.deleteImages).toEqual({
      __typename: 'BulkDeleted',
      results: [
        { __typename: 'Deleted', id: mine[0] },
        { __typename: 'NotFoundError', code: 'NOT_FOUND' },
        { __typename: 'Deleted', id: mine[1] },
        { __typename: 'NotFoundError', code: 'NOT_FOUND' },
      ],
    });
    const left = await server.gql(`{ images { edges { node { id } } } }`, {}, owner);
    expect(left.data?.images.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([mine[2]]);
    expect((await server.gql(`query($id: ID!) { image(id: $id) { id } }`, { id: theirs[0] }, other)).data?.image).toEqual({
      id: theirs[0],
    });
    expect((await storedKeys(server)).filter((key) => key.includes(mine[0]!) || key.includes(mine[1]!))).toEqual([]);
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });

  it('refuses no ids and more than 100 with a ValidationError, deleting nothing', async () => {
    const owner = await server.signUp('bulk-many');
    const [id] = await upload(owner, 1);
    expect((await server.gql(DELETE, { ids: [] }, owner)).data?.deleteImages).toEqual({
      __typename: 'ValidationError',
      field: 'ids',
      message: 'Choose at least one image.',
    });
    const many = [id!, ...Array.from({ length: 100 }, () => randomUUID())];
    expect((await server.gql(DELETE, { ids: many }, owner)).data?.deleteImages).toEqual({
      __typename: 'ValidationError',
      field: 'ids',
      message: 'At most 100 images at once.',
    });
    expect((await server.gql(`query($id: ID!) { image(id: $id) { id } }`, { id }, owner)).data?.image).toEqual({ id });
  });

  it('needs a signed-in user', async () => {
    const result = await server.gql(DELETE, { ids: [randomUUID()] });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('tagImages', () => {
  it('adds and removes tags on each image, ignoring case, and leaves another user’s alone', async () => {
    const owner = await server.signUp('tag-owner');
    const other = await server.signUp('tag-other');
    const [first, second] = [...(await upload(owner, 1, ['Sea', 'old'])), ...(await upload(owner, 1, ['forest']))];
    const [theirs] = await upload(other, 1, ['old']);
    const result = await server.gql(TAG, { ids: [first, theirs, second], add: ['Holiday', 'SEA'], remove: ['OLD'] }, owner);
    expect(result.data?.tagImages).toEqual({
      __typename: 'BulkRetagged',
      results: [
        { __typename: 'Image', id: first, tags: ['sea', 'holiday'] },
        { __typename: 'NotFoundError', code: 'NOT_FOUND' },
        { __typename: 'Image', id: second, tags: ['forest', 'holiday', 'sea'] },
      ],
    });
    expect((await server.gql(`query($id: ID!) { image(id: $id) { tags } }`, { id: theirs }, other)).data?.image.tags).toEqual(['old']);
  });

  it('reports an image that would pass the tag limit, keeping its tags, while the others change', async () => {
    const owner = await server.signUp('tag-limit');
    const full = (
      await uploadImage(server, owner, await makeImage(40, 40), 'full.jpg', { tags: Array.from({ length: 20 }, (_, index) => `t${index}`) })
    ).id;
    const [roomy] = await upload(owner, 1);
    const result = await server.gql(TAG, { ids: [full, roomy], add: ['extra'] }, owner);
    expect(result.data?.tagImages.results).toEqual([
      { __typename: 'ValidationError', field: 'tags', message: 'An image has at most 20 tags.' },
      { __typename: 'Image', id: roomy, tags: ['extra'] },
    ]);
    expect((await server.gql(`query($id: ID!) { image(id: $id) { tags } }`, { id: full }, owner)).data?.image.tags).toHaveLength(20);
  });

  it('keeps every tag when several requests tag one image at once', async () => {
    const owner = await server.signUp('tag-race');
    const [id] = await upload(owner, 1, ['first']);
    const added = Array.from({ length: 10 }, (_, index) => `concurrent-${index}`);
    const results = await Promise.all(added.map((tag) => server.gql(TAG, { ids: [id], add: [tag] }, owner)));
    for (const result of results) expect(result.data?.tagImages.results[0].__typename).toBe('Image');
    const tags: string[] = (await server.gql(`query($id: ID!) { image(id: $id) { tags } }`, { id }, owner)).data?.image.tags;
    expect(new Set(tags)).toEqual(new Set(['first', ...added]));
    expect(tags).toHaveLength(11);
  });

  it('refuses, whole, the tag changes that would pass the limit when several race for the last places', async () => {
    const owner = await server.signUp('tag-race-limit');
    const [id] = await upload(
      owner,
      1,
      Array.from({ length: 17 }, (_, index) => `t${index}`),
    );
    const added = Array.from({ length: 8 }, (_, index) => `late-${index}`);
    const results = await Promise.all(added.map((tag) => server.gql(TAG, { ids: [id], add: [tag] }, owner)));
    const outcomes = results.map((result) => result.data?.tagImages.results[0]);
    const accepted = outcomes.filter((outcome) => outcome.__typename === 'Image');
    expect(accepted).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome.__typename === 'ValidationError')).toEqual(
      Array.from({ length: 5 }, () => ({ __typename: 'ValidationError', field: 'tags', message: 'An image has at most 20 tags.' })),
    );
    const tags: string[] = (await server.gql(`query($id: ID!) { image(id: $id) { tags } }`, { id }, owner)).data?.image.tags;
    expect(tags).toHaveLength(20);
    const acceptedTags = added.filter((_, index) => outcomes[index].__typename === 'Image');
    expect(tags.slice(17).sort()).toEqual(acceptedTags.sort());
  });

  it('refuses a bad tag or nothing to do before touching any image', async () => {
    const owner = await server.signUp('tag-bad');
    const [id] = await upload(owner, 1, ['keep']);
    expect((await server.gql(TAG, { ids: [id], add: ['x'.repeat(41)] }, owner)).data?.tagImages).toMatchObject({
      __typename: 'ValidationError',
      field: 'add',
    });
    expect((await server.gql(TAG, { ids: [id] }, owner)).data?.tagImages).toEqual({
      __typename: 'ValidationError',
      field: 'add',
      message: 'Give a tag to add or to remove.',
    });
    expect((await server.gql(`query($id: ID!) { image(id: $id) { tags } }`, { id }, owner)).data?.image.tags).toEqual(['keep']);
  });
});

const COMPRESS = `mutation($ids: [ID!]!, $options: CompressOptions!) { compressImages(ids: $ids, options: $options) {
  __typename
  ... on BulkCompressed { results { __typename ... on Compression { id format width image { id } } ... on NotFoundError { code } ... on QuotaExceededError { code } } }
  ... on ValidationError { field message }
} }`;

async function compressionsOf(token: string, id: string): Promise<Array<{ id: string; format: string; width: number }>> {
  return (await server.gql(`query($id: ID!) { image(id: $id) { compressions { id format width } } }`, { id }, token)).data?.image
    .compressions;
}

describe('compressImages', () => {
  it('stores one compression per image with the same options, in order, and reports another user’s and unknown ids as not found', async () => {
    const owner = await server.signUp('compress-owner');
    const other = await server.signUp('compress-other');
    const mine = await upload(owner, 2);
    const [theirs] = await upload(other, 1);
    const result = await server.gql(
      COMPRESS,
      { ids: [mine[0], theirs, mine[1], randomUUID()], options: { format: 'WEBP', width: 30, quality: 60 } },
      owner,
    );
    const results = result.data?.compressImages.results;
    expect(results.map((entry: { __typename: string }) => entry.__typename)).toEqual([
      'Compression',
      'NotFoundError',
      'Compression',
      'NotFoundError',
    ]);
    expect(results[0]).toMatchObject({ format: 'WEBP', width: 30, image: { id: mine[0] } });
    expect(results[2]).toMatchObject({ format: 'WEBP', width: 30, image: { id: mine[1] } });
    expect(await compressionsOf(owner, mine[0]!)).toEqual([{ id: results[0].id, format: 'WEBP', width: 30 }]);
    expect(await compressionsOf(owner, mine[1]!)).toEqual([{ id: results[2].id, format: 'WEBP', width: 30 }]);
    expect(await compressionsOf(other, theirs!)).toEqual([]);
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });

  it('reports an image at its compression quota as QuotaExceededError while the others are compressed', async () => {
    const owner = await server.signUp('compress-quota');
    const [full, roomy] = await upload(owner, 2);
    for (let index = 0; index < 10; index++) {
      const done = await server.gql(COMPRESS, { ids: [full], options: { width: 20 + index, quality: 50 } }, owner);
      expect(done.data?.compressImages.results[0].__typename).toBe('Compression');
    }
    const result = await server.gql(COMPRESS, { ids: [full, roomy], options: { quality: 50 } }, owner);
    expect(result.data?.compressImages.results.map((entry: { __typename: string }) => entry.__typename)).toEqual([
      'QuotaExceededError',
      'Compression',
    ]);
    expect(await compressionsOf(owner, full!)).toHaveLength(10);
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });

  it('takes the last compression slot once when two calls race for it', async () => {
    const owner = await server.signUp('compress-race');
    const [id] = await upload(owner, 1);
    for (let index = 0; index < 9; index++) await server.gql(COMPRESS, { ids: [id], options: { width: 20 + index } }, owner);
    const raced = await Promise.all([0, 1].map(() => server.gql(COMPRESS, { ids: [id], options: { quality: 40 } }, owner)));
    expect(raced.map((result) => result.data?.compressImages.results[0].__typename).sort()).toEqual(['Compression', 'QuotaExceededError']);
    expect(await compressionsOf(owner, id!)).toHaveLength(10);
  });

  it('refuses no ids, more than 20 and bad options before compressing anything', async () => {
    const owner = await server.signUp('compress-bad');
    const [id] = await upload(owner, 1);
    expect((await server.gql(COMPRESS, { ids: [], options: {} }, owner)).data?.compressImages).toEqual({
      __typename: 'ValidationError',
      field: 'ids',
      message: 'Choose at least one image.',
    });
    const many = [id!, ...Array.from({ length: 20 }, () => randomUUID())];
    expect((await server.gql(COMPRESS, { ids: many, options: {} }, owner)).data?.compressImages).toEqual({
      __typename: 'ValidationError',
      field: 'ids',
      message: 'At most 20 images at once.',
    });
    expect((await server.gql(COMPRESS, { ids: [id], options: { quality: 0 } }, owner)).data?.compressImages).toMatchObject({
      __typename: 'ValidationError',
    });
    expect(await compressionsOf(owner, id!)).toEqual([]);
  });

  it('needs a signed-in user', async () => {
    const result = await server.gql(COMPRESS, { ids: [randomUUID()], options: {} });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
