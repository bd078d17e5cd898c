// Presets over real HTTP: saved, listed, replaced by name, deleted; validated as CompressOptions
// are; capped per user; and each user's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

const SAVE = `mutation($name: String!, $options: CompressOptions!) {
  savePreset(name: $name, options: $options) {
    __typename
    ... on Preset { id name options { width height format quality targetSsim maxBytes effort } }
    ... on Error { code message }
    ... on ValidationError { field }
    ... on QuotaExceededError { limit }
  }
}`;
const LIST = `{ presets { id name options { width height format quality targetSsim maxBytes effort } } }`;
const DELETE = `mutation($id: ID!) { deletePreset(id: $id) { __typename ... on Deleted { id } ... on Error { code } } }`;

let server: TestServer;

async function save(token: string, name: string, options: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await server.gql(SAVE, { name, options }, token);
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.savePreset;
}

const list = async (token: string) => (await server.gql(LIST, {}, token)).data!.presets as Array<Record<string, any>>;
const NONE = { width: null, height: null, format: null, quality: null, targetSsim: null, maxBytes: null, effort: null };

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('presets', () => {
  it('saves, lists by name, replaces a preset of the same name, and deletes', async () => {
    const token = await server.signUp();
    const web = await save(token, '  Web 1600   WebP ', { width: 1600, format: 'WEBP', quality: 75 });
    expect(web).toMatchObject({ __typename: 'Preset', name: 'Web 1600 WebP', options: { ...NONE, width: 1600, format: 'WEBP', quality: 75 } });
    const thumb = await save(token, 'Thumbnail 400 square AVIF', { width: 400, height: 400, format: 'AVIF', targetSsim: 0.95, effort: 'SMALLEST' });
    expect((await list(token)).map((preset) => preset.name)).toEqual(['Thumbnail 400 square AVIF', 'Web 1600 WebP']);
    const replaced = await save(token, 'web 1600 webp', { width: 1600, format: 'WEBP', maxBytes: 200_000 });
    expect(replaced).toMatchObject({ id: web.id, name: 'web 1600 webp', options: { ...NONE, width: 1600, format: 'WEBP', maxBytes: 200_000 } });
    expect(await list(token)).toHaveLength(2);
    expect((await server.gql(DELETE, { id: thumb.id }, token)).data!.deletePreset).toEqual({ __typename: 'Deleted', id: thumb.id });
    expect((await list(token)).map((preset) => preset.id)).toEqual([web.id]);
    expect((await server.gql(DELETE, { id: thumb.id }, token)).data!.deletePreset).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it.each([
    ['', {}, 'name'],
    ['x'.repeat(61), {}, 'name'],
    ['bell\u0007name', {}, 'name'],
    ['ok', { width: 0 }, 'options.width'],
    ['ok', { height: 16_385 }, 'options.height'],
    ['ok', { quality: 0 }, 'options.quality'],
    ['ok', { quality: 80, targetSsim: 0.9 }, 'options.targetSsim'],
    ['ok', { targetSsim: 1.5 }, 'options.targetSsim'],
    ['ok', { maxBytes: 10 }, 'options.maxBytes'],
    ['ok', { format: 'AUTO', quality: 50 }, 'options.quality'],
  ])('refuses name %j with options %j (ValidationError on %s), saving nothing', async (name, options, field) => {
    const token = await server.signUp();
    expect(await save(token, name, options)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    expect(await list(token)).toEqual([]);
  });

  it('keeps each user’s presets their own', async () => {
    const owner = await server.signUp();
    const stranger = await server.signUp();
    const preset = await save(owner, 'Mine', { quality: 50 });
    expect(await list(stranger)).toEqual([]);
    expect((await server.gql(DELETE, { id: preset.id }, stranger)).data!.deletePreset.__typename).toBe('NotFoundError');
    // The same name is another preset for another user.
    expect((await save(stranger, 'Mine', { quality: 90 })).id).not.toBe(preset.id);
    expect((await list(owner))[0]).toMatchObject({ id: preset.id, options: { quality: 50 } });
  });

  it('caps how many a user keeps, but still replaces one by name at the cap', async () => {
    const token = await server.signUp();
    const cap = server.config.quotaPresets;
    for (let index = 0; index < cap; index++) expect((await save(token, `p${index}`, { quality: 50 })).__typename).toBe('Preset');
    expect(await save(token, 'one too many', { quality: 50 })).toMatchObject({ __typename: 'QuotaExceededError', limit: cap });
    expect((await save(token, 'P0', { quality: 10 })).__typename).toBe('Preset');
    expect(await list(token)).toHaveLength(cap);
  });

  it('needs a session', async () => {
    expect((await server.gql(LIST)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
