// Presets over real HTTP: saved, listed, replaced by name, deleted; validated as CompressOptions
// are; capped per user; each user's own; and holding the whole option set (fit, effort, edits).
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { compressStored, sniffFormat, storeImage } from './compression-helpers.ts';
import { startTestServer, type TestServer } from './harness.ts';

const TRANSFORM =
  'transform { crop { left top width height } rotate flip flop brightness saturation hue grayscale sharpen blur focus background }';
const FULL = `{ width height format quality targetSsim maxBytes effort fit ${TRANSFORM} }`;

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
    expect(web).toMatchObject({
      __typename: 'Preset',
      name: 'Web 1600 WebP',
      options: { ...NONE, width: 1600, format: 'WEBP', quality: 75 },
    });
    const thumb = await save(token, 'Thumbnail 400 square AVIF', {
      width: 400,
      height: 400,
      format: 'AVIF',
      targetSsim: 0.95,
      effort: 'SMALLEST',
    });
    expect((await list(token)).map((preset) => preset.name)).toEqual(['Thumbnail 400 square AVIF', 'Web 1600 WebP']);
    const replaced = await save(token, 'web 1600 webp', { width: 1600, format: 'WEBP', maxBytes: 200_000 });
    expect(replaced).toMatchObject({
      id: web.id,
      name: 'web 1600 webp',
      options: { ...NONE, width: 1600, format: 'WEBP', maxBytes: 200_000 },
    });
    expect(await list(token)).toHaveLength(2);
    expect((await server.gql(DELETE, { id: thumb.id }, token)).data!.deletePreset).toEqual({ __typename: 'Deleted', id: thumb.id });
    expect((await list(token)).map((preset) => preset.id)).toEqual([web.id]);
    expect((await server.gql(DELETE, { id: thumb.id }, token)).data!.deletePreset).toEqual({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
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
    ['ok', { width: 400, fit: 'COVER' }, 'options.fit'],
    ['ok', { transform: { rotate: 45 } }, 'options.transform.rotate'],
    ['ok', { transform: { saturation: 3 } }, 'options.transform.saturation'],
    ['ok', { transform: { background: 'red' } }, 'options.transform.background'],
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

  it('keeps fit, effort and the edits (not a crop), and applying them makes a 400×400 AVIF', async () => {
    const token = await server.signUp();
    const options = {
      width: 400,
      height: 400,
      format: 'AVIF',
      quality: 50,
      effort: 'SMALLEST',
      fit: 'COVER',
      transform: { focus: 'ATTENTION', rotate: 90, saturation: 1.5, crop: { left: 0, top: 0, width: 10, height: 10 } },
    };
    const saved = await server.gql(
      `mutation($name: String!, $options: CompressOptions!) { savePreset(name: $name, options: $options) { __typename ... on Preset { id options ${FULL} } } }`,
      { name: 'Thumbnail 400 square AVIF', options },
      token,
    );
    const expected = {
      width: 400,
      height: 400,
      format: 'AVIF',
      quality: 50,
      targetSsim: null,
      maxBytes: null,
      effort: 'SMALLEST',
      fit: 'COVER',
      transform: {
        crop: null,
        rotate: 90,
        flip: false,
        flop: false,
        brightness: 1,
        saturation: 1.5,
        hue: 0,
        grayscale: false,
        sharpen: null,
        blur: null,
        focus: 'ATTENTION',
        background: null,
      },
    };
    expect(saved.data!.savePreset).toEqual({ __typename: 'Preset', id: expect.any(String), options: expected });

    const [read] = (await server.gql(`{ presets { name options ${FULL} } }`, {}, token)).data!.presets;
    expect(read).toEqual({ name: 'Thumbnail 400 square AVIF', options: expected });

    // Applied as a client would: the preset's options, as read back, are the compression's options.
    const imageId = await storeImage(server, token, await makeImage(1200, 700));
    const compression = await compressStored(server, token, imageId, read.options);
    expect(compression).toMatchObject({ __typename: 'Compression', format: 'AVIF', width: 400, height: 400 });
    const bytes = Buffer.from(compression.base64, 'base64');
    expect(sniffFormat(bytes)).toBe('AVIF');
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 400, height: 400 });
  });

  it('keeps no transform when only a crop (or nothing but defaults) was given', async () => {
    const token = await server.signUp();
    const query = `mutation($name: String!, $options: CompressOptions!) { savePreset(name: $name, options: $options) { __typename ... on Preset { options ${FULL} } } }`;
    const cropped = await server.gql(
      query,
      { name: 'crop', options: { quality: 70, transform: { crop: { left: 1, top: 1, width: 20, height: 20 } } } },
      token,
    );
    expect(cropped.data!.savePreset.options).toMatchObject({ quality: 70, fit: null, transform: null });
    const neutral = await server.gql(
      query,
      { name: 'neutral', options: { fit: 'INSIDE', transform: { rotate: 0, saturation: 1 } } },
      token,
    );
    expect(neutral.data!.savePreset.options).toMatchObject({ fit: 'INSIDE', transform: null });
  });

  it('needs a session', async () => {
    expect((await server.gql(LIST)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
