import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, storedAndScratch, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({
    MAX_UPLOAD_BYTES: String(2 * 1024 * 1024),
    MAX_INPUT_PIXELS: String(4_000_000),
    QUOTA_IMAGES: '50',
    QUOTA_FILES: '200',
  });
  token = await server.signUp('imager');
});
afterAll(() => server.close());

const filesOnDisk = () => storedAndScratch(server);

async function fetchBytes(path: string): Promise<Buffer> {
  const response = await fetch(`${server.url}${path}`);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('uploadImage', () => {
  it.each([
    ['jpeg', 'JPEG', 'image/jpeg'],
    ['png', 'PNG', 'image/png'],
    ['webp', 'WEBP', 'image/webp'],
    ['avif', 'AVIF', 'image/avif'],
    ['gif', 'GIF', 'image/gif'],
  ] as const)('stores a %s original with its facts, a thumbnail and signed URLs', async (format, graphqlFormat, mimeType) => {
    const data = await makeImage(640, 400, format);
    const image = await uploadImage(server, token, data, `holiday.${format}`, { tags: ['trip', 'trip', ' beach '] });
    expect(image).toMatchObject({
      __typename: 'Image',
      name: `holiday.${format}`,
      format: graphqlFormat,
      mimeType,
      width: 640,
      height: 400,
      bytes: data.length,
      tags: ['trip', 'beach'],
    });
    expect(Buffer.compare(await fetchBytes(image.url), data)).toBe(0);
    const thumbnail = await sharp(await fetchBytes(image.thumbnailUrl)).metadata();
    expect(thumbnail.format).toBe('webp');
    expect(Math.max(thumbnail.width!, thumbnail.height!)).toBe(512);
  });

  it('stores every original byte for byte while uploads reuse the write buffers, one after another and at once', async () => {
    // Noise does not compress: about 1.9 MB of PNG, so both of an upload's 1 MiB write buffers
    // are filled with it before they are kept for the next upload.
    const noise = (seed: number) =>
      sharp({
        create: { width: 800, height: 800, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 100 + seed, sigma: 60 } },
      })
        .png({ compressionLevel: 0 })
        .toBuffer();
    const large = await noise(0);
    expect(large.length).toBeGreaterThan(1024 * 1024 + 1);
    const files = [
      large,
      await makeImage(640, 400, 'jpeg'),
      await makeImage(300, 200, 'png'),
      await noise(7),
      await makeImage(50, 40, 'webp'),
    ];
    const first = await uploadImage(server, token, files[0]!, 'noise.png');
    const rest = await Promise.all(files.slice(1).map((data, index) => uploadImage(server, token, data, `file-${index}`)));
    for (const [index, image] of [first, ...rest].entries()) {
      expect(image.bytes).toBe(files[index]!.length);
      expect(Buffer.compare(await fetchBytes(image.url), files[index]!)).toBe(0);
    }
  });

  it('judges the type by the bytes, not the name or the declared type', async () => {
    const png = await makeImage(300, 200, 'png');
    const result = await server.multipart(
      `mutation($file: Upload!) { uploadImage(file: $file) { ... on Image { format mimeType name } } }`,
      { file: null },
      { file: { data: png, filename: 'really-a-png.jpg', type: 'image/jpeg' } },
      token,
    );
    expect(result.data?.uploadImage).toEqual({ format: 'PNG', mimeType: 'image/png', name: 'really-a-png.jpg' });
  });

  it('uses a given name instead of the file name, and never uses the file name in paths', async () => {
    const image = await uploadImage(server, token, await makeImage(100, 100), '../../etc/passwd.jpg', { name: '  Sunset  ' });
    expect(image.name).toBe('Sunset');
    const files = await filesOnDisk();
    expect(files.some((file) => file.includes('passwd'))).toBe(false);
    const unnamed = await uploadImage(server, token, await makeImage(100, 100), '../../etc/passwd.jpg');
    expect(unnamed.name).toBe('passwd.jpg');
  });

  it('reports width and height as displayed, after EXIF orientation', async () => {
    // Stored 300x200, orientation 6 (rotate 90°): displayed 200x300.
    const rotated = await makeImage(300, 200, 'jpeg', { orientation: 6 });
    const image = await uploadImage(server, token, rotated, 'rotated.jpg');
    expect([image.width, image.height]).toEqual([200, 300]);
    const thumbnail = await sharp(await fetchBytes(image.thumbnailUrl)).metadata();
    expect([thumbnail.width, thumbnail.height]).toEqual([200, 300]);
  });

  it.each([
    ['a text file named .jpg', Buffer.from('hello, this is not an image'), 'notes.jpg'],
    ['an empty file', Buffer.alloc(0), 'empty.png'],
    ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'), 'x.svg'],
    ['a TIFF', null, 'scan.tiff'],
  ])('refuses %s with InvalidImageError and leaves no file', async (_label, data, filename) => {
    const before = await filesOnDisk();
    const bytes =
      data ??
      (await sharp(await makeImage(50, 50))
        .tiff()
        .toBuffer());
    const image = await uploadImage(server, token, bytes, filename);
    expect(image).toMatchObject({ __typename: 'InvalidImageError', code: 'INVALID_IMAGE' });
    expect(await filesOnDisk()).toEqual(before);
  });

  it('refuses a truncated JPEG whose header is fine', async () => {
    const full = await makeImage(800, 600);
    const image = await uploadImage(server, token, full.subarray(0, Math.floor(full.length / 2)), 'cut.jpg');
    expect(image.__typename).toBe('InvalidImageError');
  });

  it('refuses a file over MAX_UPLOAD_BYTES with FileTooLargeError and keeps no partial file', async () => {
    const before = await filesOnDisk();
    const tooBig = Buffer.concat([await makeImage(64, 64), Buffer.alloc(2 * 1024 * 1024 + 10)]);
    const image = await uploadImage(server, token, tooBig, 'big.jpg');
    expect(image).toMatchObject({
      __typename: 'FileTooLargeError',
      code: 'FILE_TOO_LARGE',
      maxBytes: 2 * 1024 * 1024,
      maxPixels: 4_000_000,
    });
    expect(await filesOnDisk()).toEqual(before);
  });

  it('refuses an image over MAX_INPUT_PIXELS with FileTooLargeError', async () => {
    const wide = await sharp({ create: { width: 2100, height: 2000, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const image = await uploadImage(server, token, wide, 'wide.png');
    expect(image).toMatchObject({ __typename: 'FileTooLargeError', maxPixels: 4_000_000 });
  });

  it('refuses bad names and tags with a ValidationError naming the argument', async () => {
    const data = await makeImage(50, 50);
    expect(await uploadImage(server, token, data, 'a.jpg', { name: '   ' })).toMatchObject({
      __typename: 'ValidationError',
      field: 'name',
    });
    expect(await uploadImage(server, token, data, 'a.jpg', { tags: ['x'.repeat(41)] })).toMatchObject({
      __typename: 'ValidationError',
      field: 'tags',
    });
  });

  it('needs a signed-in user', async () => {
    const result = await server.multipart(
      `mutation($file: Upload!) { uploadImage(file: $file) { __typename } }`,
      { file: null },
      {
        file: { data: await makeImage(50, 50), filename: 'a.jpg' },
      },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('listing, searching and ordering', () => {
  let lister: string;
  const names = ['Beach day', 'alpine lake', 'City night', 'beach sunset', 'Desert'];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    lister = await server.signUp('lister');
    for (const [index, name] of names.entries()) {
      // Sizes differ so LARGEST/SMALLEST have a defined order.
      const image = await uploadImage(server, lister, await makeImage(80 + index * 40, 80), `${index}.jpg`, {
        name,
        tags: name.toLowerCase().includes('beach') ? ['sea', 'summer'] : ['summer'],
      });
      ids[name] = image.id;
    }
  });

  const list = async (args: string) => {
    const result = await server.gql(
      `{ images(${args}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name bytes createdAt } } } }`,
      {},
      lister,
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.images;
  };

  it('lists newest first by default and pages through with cursors', async () => {
    const first = await list('first: 2');
    expect(first.totalCount).toBe(5);
    expect(first.edges.map((edge: any) => edge.node.name)).toEqual(['Desert', 'beach sunset']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await list(`first: 2, after: "${first.pageInfo.endCursor}"`);
    expect(second.edges.map((edge: any) => edge.node.name)).toEqual(['City night', 'alpine lake']);
    const third = await list(`first: 2, after: "${second.pageInfo.endCursor}"`);
    expect(third.edges.map((edge: any) => edge.node.name)).toEqual(['Beach day']);
    expect(third.pageInfo).toEqual({ hasNextPage: false, endCursor: third.edges[0].cursor });
  });

  it.each([
    ['OLDEST', names],
    ['NAME', ['alpine lake', 'Beach day', 'beach sunset', 'City night', 'Desert']],
    ['LARGEST', [...names].reverse()],
    ['SMALLEST', names],
  ])('orders by %s', async (order, expected) => {
    const page = await list(`orderBy: ${order}`);
    expect(page.edges.map((edge: any) => edge.node.name)).toEqual(expected);
  });

  it('keeps its place when an earlier image is deleted between pages', async () => {
    const first = await list('first: 2, orderBy: NAME');
    const extra = await uploadImage(server, lister, await makeImage(40, 40), 'a.jpg', { name: 'aaa first' });
    const second = await list(`first: 2, orderBy: NAME, after: "${first.pageInfo.endCursor}"`);
    expect(second.edges.map((edge: any) => edge.node.name)).toEqual(['beach sunset', 'City night']);
    await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id: extra.id }, lister);
  });

  it('searches names and tags ignoring case, and filters by a whole tag ignoring case', async () => {
    const search = await list('search: "BEACH"');
    expect(search.totalCount).toBe(2);
    expect(search.edges.map((edge: any) => edge.node.name).sort()).toEqual(['Beach day', 'beach sunset']);
    // "SUMM" is in no name, only in the tag every image has.
    expect((await list('search: "SUMM"')).totalCount).toBe(5);
    expect((await list('tag: "sea"')).totalCount).toBe(2);
    expect((await list('tag: "Sea"')).totalCount).toBe(2);
    expect((await list('tag: "se"')).totalCount).toBe(0);
    expect((await list('tag: "summer", search: "city"')).edges.map((edge: any) => edge.node.name)).toEqual(['City night']);
  });

  it('stores tags lower-cased, so one spelling in any case is one tag', async () => {
    const owner = await server.signUp('tagcase');
    const image = await uploadImage(server, owner, await makeImage(40, 40), 'a.jpg', { tags: ['Wood', 'WOOD', 'wood', 'Oak'] });
    expect(image.tags).toEqual(['wood', 'oak']);
    const retagged = await server.gql(
      `mutation($id: ID!) { updateImage(id: $id, tags: ["OAK", "Ash"]) { ... on Image { tags } } }`,
      { id: image.id },
      owner,
    );
    expect(retagged.data?.updateImage).toEqual({ tags: ['oak', 'ash'] });
    await uploadImage(server, owner, await makeImage(40, 40), 'b.jpg', { tags: ['ASH'] });
    expect((await server.gql(`{ tags { name count } }`, {}, owner)).data?.tags).toEqual([
      { name: 'ash', count: 2 },
      { name: 'oak', count: 1 },
    ]);
  });

  it('counts tags', async () => {
    const result = await server.gql(`{ tags { name count } }`, {}, lister);
    expect(result.data?.tags).toEqual([
      { name: 'summer', count: 5 },
      { name: 'sea', count: 2 },
    ]);
  });

  it('refuses a cursor it did not issue and an out-of-range page size', async () => {
    const bad = await server.gql(`{ images(after: "garbage") { totalCount } }`, {}, lister);
    expect(bad.errors?.[0]).toMatchObject({
      message: 'That cursor is not one this API issued.',
      extensions: { code: 'VALIDATION', field: 'after' },
    });
    const big = await server.gql(`{ images(first: 1000) { totalCount } }`, {}, lister);
    expect(big.errors?.[0]).toMatchObject({
      message: 'first must be between 0 and 100.',
      extensions: { code: 'VALIDATION', field: 'first' },
    });
  });

  it('shows one user nothing of another', async () => {
    const stranger = await server.signUp('stranger');
    expect((await server.gql(`{ images { totalCount } tags { name } }`, {}, stranger)).data).toEqual({
      images: { totalCount: 0 },
      tags: [],
    });
    const id = ids.Desert;
    expect((await server.gql(`query($id: ID!) { image(id: $id) { id } }`, { id }, stranger)).data).toEqual({ image: null });
    const update = await server.gql(`mutation($id: ID!) { updateImage(id: $id, name: "mine") { __typename } }`, { id }, stranger);
    expect(update.data?.updateImage.__typename).toBe('NotFoundError');
    const remove = await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id }, stranger);
    expect(remove.data?.deleteImage.__typename).toBe('NotFoundError');
    expect((await server.gql(`query($id: ID!) { image(id: $id) { name } }`, { id }, lister)).data?.image.name).toBe('Desert');
  });
});

describe('updateImage and deleteImage', () => {
  it('renames and retags, keeping what is not given', async () => {
    const owner = await server.signUp('updater');
    const image = await uploadImage(server, owner, await makeImage(60, 60), 'a.jpg', { tags: ['one'] });
    const renamed = await server.gql(
      `mutation($id: ID!) { updateImage(id: $id, name: "Renamed") { ... on Image { name tags updatedAt createdAt } } }`,
      { id: image.id },
      owner,
    );
    expect(renamed.data?.updateImage).toMatchObject({ name: 'Renamed', tags: ['one'] });
    const retagged = await server.gql(
      `mutation($id: ID!) { updateImage(id: $id, tags: ["two", "three"]) { ... on Image { name tags } } }`,
      { id: image.id },
      owner,
    );
    expect(retagged.data?.updateImage).toEqual({ name: 'Renamed', tags: ['two', 'three'] });
    const invalid = await server.gql(
      `mutation($id: ID!) { updateImage(id: $id, name: "") { ... on ValidationError { field code } } }`,
      { id: image.id },
      owner,
    );
    expect(invalid.data?.updateImage).toEqual({ field: 'name', code: 'VALIDATION' });
  });

  it('deletes the record and its files, after which its URLs answer 404', async () => {
    const owner = await server.signUp('deleter');
    const image = await uploadImage(server, owner, await makeImage(60, 60), 'a.jpg');
    const userFiles = async () => (await filesOnDisk()).filter((file) => file.includes(image.id));
    expect(await userFiles()).toHaveLength(2);
    const deleted = await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { ... on Deleted { id } } }`, { id: image.id }, owner);
    expect(deleted.data?.deleteImage).toEqual({ id: image.id });
    expect(await userFiles()).toEqual([]);
    expect((await fetch(`${server.url}${image.url}`)).status).toBe(404);
    expect((await server.gql(`query($id: ID!) { image(id: $id) { id } }`, { id: image.id }, owner)).data?.image).toBeNull();
    const again = await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id: image.id }, owner);
    expect(again.data?.deleteImage.__typename).toBe('NotFoundError');
  });
});
