// Concurrency against the quotas and against deletes: 50 requests at once, and the disk and the
// database checked against each other afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../../testkit/fixtures.ts';
import { compressionCount, startTestServer, storageProblems, uploadImage, UPLOAD_IMAGE, type TestServer } from '../harness.ts';
import { storedOutputProblems } from './helpers.ts';

const QUOTA_IMAGES = 10;
const QUOTA_COMPRESSIONS = 5;
const QUOTA_FILES = 14;
const PARALLEL = 50;

const COMPRESS = `mutation($imageId: ID!, $options: CompressOptions!) {
  compressImage(imageId: $imageId, options: $options) {
    __typename
    ... on Compression { id bytes url }
    ... on Error { code message }
    ... on QuotaExceededError { limit }
  }
}`;
const DELETE_IMAGE = `mutation($id: ID!) { deleteImage(id: $id) { __typename ... on Error { code } } }`;
const DELETE_COMPRESSION = `mutation($id: ID!) { deleteCompression(id: $id) { __typename ... on Error { code } } }`;
const OPTIONS = { width: 96, quality: 60, format: 'WEBP' };

let server: TestServer;
let photo: Buffer;
const tally = { races: 0, requests: 0, overruns: 0 };

beforeAll(async () => {
  server = await startTestServer({
    QUOTA_IMAGES: String(QUOTA_IMAGES),
    QUOTA_COMPRESSIONS_PER_IMAGE: String(QUOTA_COMPRESSIONS),
    QUOTA_FILES: String(QUOTA_FILES),
    IMAGE_QUEUE_SIZE: '1000',
    // One user races itself here: the per-user waiting limit would answer SERVER_BUSY before the quota is reached.
    IMAGE_JOBS_WAITING_PER_USER: '1000',
    // And the password pool's waiting room would refuse most of 20 parallel sign-ups with 429.
    PASSWORD_QUEUE_SIZE: '100',
  });
  photo = await makeImage(240, 180, 'jpeg');
});

afterAll(async () => {
  console.info(`[hardening] races: ${tally.races} races, ${tally.requests} racing requests, ${tally.overruns} quota overruns`);
  await server?.close();
});

async function expectDiskAndDatabaseAgree(): Promise<void> {
  // Also: every compression the records hold belongs to an image that exists (storedFiles walks
  // images, so a compression of a deleted image would leave its file an orphan here).
  expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
}

const compress = (token: string, imageId: string) => server.gql(COMPRESS, { imageId, options: OPTIONS }, token);

describe('quotas under 50 parallel requests', () => {
  it(`stores exactly ${QUOTA_IMAGES} of ${PARALLEL} parallel uploads`, async () => {
    const token = await server.signUp();
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, index) =>
        server.multipart(UPLOAD_IMAGE, { file: null }, { file: { data: photo, filename: `p${index}.jpg` } }, token),
      ),
    );
    tally.races++;
    tally.requests += PARALLEL;
    const types = results.map((result) => result.data?.uploadImage?.__typename ?? JSON.stringify(result.errors));
    const stored = types.filter((type) => type === 'Image').length;
    if (stored > QUOTA_IMAGES) tally.overruns++;
    expect(stored).toBe(QUOTA_IMAGES);
    expect(types.filter((type) => type === 'QuotaExceededError').length).toBe(PARALLEL - QUOTA_IMAGES);
    const me = await server.gql('{ me { usage { images files } } }', {}, token);
    expect(me.data?.me.usage).toEqual({ images: QUOTA_IMAGES, files: QUOTA_IMAGES });
    await expectDiskAndDatabaseAgree();
  });

  it(`stores exactly ${QUOTA_COMPRESSIONS} of ${PARALLEL} parallel compressions of one image`, async () => {
    const token = await server.signUp();
    const image = await uploadImage(server, token, photo);
    const results = await Promise.all(Array.from({ length: PARALLEL }, () => compress(token, image.id)));
    tally.races++;
    tally.requests += PARALLEL;
    const types = results.map((result) => result.data?.compressImage?.__typename ?? JSON.stringify(result.errors));
    const stored = types.filter((type) => type === 'Compression').length;
    if (stored > QUOTA_COMPRESSIONS) tally.overruns++;
    expect(stored).toBe(QUOTA_COMPRESSIONS);
    expect(types.filter((type) => type === 'QuotaExceededError').length).toBe(PARALLEL - QUOTA_COMPRESSIONS);
    expect(await compressionCount(server, image.id)).toBe(QUOTA_COMPRESSIONS);
    await expectDiskAndDatabaseAgree();
  });

  it(`keeps to the ${QUOTA_FILES}-file quota with ${PARALLEL} parallel compressions spread over several images`, async () => {
    const token = await server.signUp();
    const images: Array<Record<string, any>> = [];
    for (let index = 0; index < 4; index++) images.push(await uploadImage(server, token, photo));
    // 4 originals leave room for 10 compressions; the images could take 4 x 5 = 20.
    const results = await Promise.all(Array.from({ length: PARALLEL }, (_, index) => compress(token, images[index % images.length]!.id)));
    tally.races++;
    tally.requests += PARALLEL;
    const stored = results.filter((result) => result.data?.compressImage?.__typename === 'Compression').length;
    if (stored > QUOTA_FILES - images.length) tally.overruns++;
    expect(stored).toBe(QUOTA_FILES - images.length);
    const me = await server.gql('{ me { usage { files } } }', {}, token);
    expect(me.data?.me.usage.files).toBe(QUOTA_FILES);
    // And uploads now refused on the file quota too, all 50 of them.
    const uploads = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        server.multipart(UPLOAD_IMAGE, { file: null }, { file: { data: photo, filename: 'late.jpg' } }, token),
      ),
    );
    tally.races++;
    tally.requests += PARALLEL;
    expect(uploads.every((result) => result.data?.uploadImage?.__typename === 'QuotaExceededError')).toBe(true);
    await expectDiskAndDatabaseAgree();
  });
});

describe('deletes racing compressions and each other', () => {
  it('leaves no orphan file and no record without a file when an image is deleted during its compressions', async () => {
    const token = await server.signUp();
    const outcomes = { compressed: 0, notFound: 0, deleted: 0 };
    for (let round = 0; round < 8; round++) {
      const image = await uploadImage(server, token, photo);
      const compressions = Array.from({ length: 4 }, () => compress(token, image.id));
      // The delete lands at a different moment each round: before, during and after the work.
      await new Promise((resolve) => setTimeout(resolve, [0, 5, 15, 30, 60, 100, 160, 300][round]));
      const [deleted, ...results] = await Promise.all([server.gql(DELETE_IMAGE, { id: image.id }, token), ...compressions]);
      tally.races++;
      tally.requests += 5;
      expect(deleted.data?.deleteImage.__typename).toBe('Deleted');
      for (const result of results) {
        const type = result.data?.compressImage?.__typename;
        expect(['Compression', 'NotFoundError'], JSON.stringify(result)).toContain(type);
        if (type === 'Compression') outcomes.compressed++;
        else outcomes.notFound++;
      }
      outcomes.deleted++;
      const lookup = await server.gql(`query($id: ID!) { image(id: $id) { id } }`, { id: image.id }, token);
      expect(lookup.data?.image).toBeNull();
      expect(await compressionCount(server, image.id)).toBe(0);
      await expectDiskAndDatabaseAgree();
    }
    console.info(
      `[hardening] delete-vs-compress: ${outcomes.deleted} images deleted under ${outcomes.compressed + outcomes.notFound} compressions (${outcomes.compressed} finished first, ${outcomes.notFound} NotFound)`,
    );
  });

  it('deletes an image exactly once under 20 parallel deletes, and its compressions with it', async () => {
    const token = await server.signUp();
    const image = await uploadImage(server, token, photo);
    const compressions = await Promise.all([compress(token, image.id), compress(token, image.id)]);
    const compressionIds = compressions.map((result) => result.data?.compressImage.id as string);
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => server.gql(DELETE_IMAGE, { id: image.id }, token)),
      ...compressionIds.map((id) => server.gql(DELETE_COMPRESSION, { id }, token)),
    ]);
    tally.races++;
    tally.requests += results.length;
    const imageDeletes = results.slice(0, 20).map((result) => result.data?.deleteImage.__typename);
    expect(imageDeletes.filter((type) => type === 'Deleted').length).toBe(1);
    expect(imageDeletes.filter((type) => type === 'NotFoundError').length).toBe(19);
    await expectDiskAndDatabaseAgree();
  });

  it('signs up exactly one of 20 parallel sign-ups for one name in any letter case', async () => {
    const names = Array.from({ length: 20 }, (_, index) => (index % 2 ? 'RaceName' : index % 3 ? 'racename' : 'RACENAME'));
    const usersBefore = (await server.app.services.records.counts()).users;
    const results = await Promise.all(
      names.map((username) =>
        server.gql(`mutation($u: String!) { signUp(username: $u, password: "correct horse battery") { __typename } }`, { u: username }),
      ),
    );
    tally.races++;
    tally.requests += names.length;
    const types = results.map((result) => result.data?.signUp.__typename);
    expect(types.filter((type) => type === 'AuthPayload').length).toBe(1);
    expect(types.filter((type) => type === 'UsernameTakenError').length).toBe(names.length - 1);
    expect((await server.app.services.records.findUserByUsername('RaceName'))?.usernameKey).toBe('racename');
    expect((await server.app.services.records.counts()).users).toBe(usersBefore + 1);
  });

  it('keeps every stored output clean', async () => {
    expect(await storedOutputProblems(server.app.services.blobs)).toEqual({});
  });
});
