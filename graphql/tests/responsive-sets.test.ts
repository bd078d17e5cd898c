// compressResponsive over real HTTP: the stored files (sizes, formats, never enlarged), the quota
// taken as a whole (also by concurrent sets), nothing left behind when a set fails, and a
// <picture> that parses and whose every URL serves the right file to a stranger.
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffFormat, storeImage } from './compression-helpers.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { compressionCount, startTestServer, storageProblems, storedAndScratch, uploadImage, type TestServer } from './harness.ts';

type Element = DefaultTreeAdapterMap['element'];

const SET = `mutation($imageId: ID!, $widths: [Int!]!, $formats: [OutputFormat!]!, $options: CompressOptions) {
  compressResponsive(imageId: $imageId, widths: $widths, formats: $formats, options: $options) {
    __typename
    ... on ResponsiveSet { html compressions { id format mimeType width height bytes quality } }
    ... on Error { code message }
    ... on ValidationError { field }
    ... on QuotaExceededError { limit }
  }
}`;

let server: TestServer;
let token: string;
let photoId: string;

async function makeSet(variables: Record<string, unknown>, as = token): Promise<Record<string, any>> {
  const response = await server.gql(SET, variables, as);
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.compressResponsive;
}

function elements(node: { childNodes?: unknown[] }, name: string): Element[] {
  const found: Element[] = [];
  for (const child of (node.childNodes ?? []) as Element[]) {
    if (child.nodeName === name) found.push(child);
    found.push(...elements(child, name));
  }
  return found;
}

function attributes(element: Element): Record<string, string> {
  return Object.fromEntries(element.attrs.map((attr) => [attr.name, attr.value]));
}

beforeAll(async () => {
  server = await startTestServer({ QUOTA_COMPRESSIONS_PER_IMAGE: '12', QUOTA_FILES: '500' });
  token = await server.signUp();
  photoId = (await uploadImage(server, token, await makeImage(1200, 800, 'jpeg'), 'photo.jpg', { name: 'Dune <at> "dusk" & more' })).id;
});
afterAll(() => server.close());

describe('compressResponsive', () => {
  it('stores one compression per width x format, never enlarging, and returns a <picture> whose URLs serve them', async () => {
    const set = await makeSet({
      imageId: photoId,
      widths: [480, 960, 1600, 2400],
      formats: ['JPEG', 'WEBP', 'AVIF'],
      options: { quality: 60, effort: 'FAST' },
    });
    expect(set.__typename).toBe('ResponsiveSet');
    // 1600 and 2400 collapse to the original's 1200: three widths, no duplicates.
    const sizes = set.compressions.map((c: Record<string, any>) => `${c.format} ${c.width}x${c.height}`);
    expect(sizes).toEqual([
      'AVIF 480x320',
      'AVIF 960x640',
      'AVIF 1200x800',
      'WEBP 480x320',
      'WEBP 960x640',
      'WEBP 1200x800',
      'JPEG 480x320',
      'JPEG 960x640',
      'JPEG 1200x800',
    ]);
    expect(set.compressions.every((c: Record<string, any>) => c.quality === 60)).toBe(true);
    expect(await compressionCount(server, photoId)).toBe(9);

    const fragment = parseFragment(set.html);
    const [picture] = elements(fragment, 'picture');
    expect(picture).toBeDefined();
    const sources = elements(picture!, 'source').map(attributes);
    expect(sources.map((source) => source.type)).toEqual(['image/avif', 'image/webp']);
    const [img] = elements(picture!, 'img').map(attributes);
    expect(img).toMatchObject({ width: '1200', height: '800', alt: 'Dune <at> "dusk" & more', loading: 'lazy', decoding: 'async' });
    expect(set.html).toContain('alt="Dune &lt;at&gt; &quot;dusk&quot; &amp; more"');
    const sizesAttribute = '(max-width: 1200px) 100vw, 1200px';
    for (const element of [...sources, img!]) expect(element.sizes).toBe(sizesAttribute);

    const expected: Array<[Record<string, string>, string, string]> = [
      [sources[0]!, 'image/avif', 'AVIF'],
      [sources[1]!, 'image/webp', 'WEBP'],
      [img!, 'image/jpeg', 'JPEG'],
    ];
    for (const [element, type, format] of expected) {
      const candidates = element.srcset!.split(', ').map((candidate) => candidate.split(' '));
      expect(candidates.map(([, descriptor]) => descriptor)).toEqual(['480w', '960w', '1200w']);
      for (const [url, descriptor] of candidates) {
        expect(url).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{43}$`));
        // A stranger's fetch: no credentials.
        const response = await fetch(url!);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(type);
        const data = Buffer.from(await response.arrayBuffer());
        expect(sniffFormat(data)).toBe(format);
        expect(`${(await sharp(data).metadata()).width}w`).toBe(descriptor);
      }
    }
    expect(img!.src).toBe(img!.srcset!.split(', ').at(-1)!.split(' ')[0]);
  });

  it('caps the widths at the edited picture: a 500 px crop, and a crop turned a quarter', async () => {
    const imageId = await storeImage(server, token, await makeImage(1200, 800, 'jpeg'), 'wide.jpg');
    const crop = { left: 100, top: 50, width: 500, height: 300 };
    const set = await makeSet({
      imageId,
      widths: [480, 960, 1600],
      formats: ['JPEG', 'WEBP'],
      options: { quality: 60, effort: 'FAST', transform: { crop } },
    });
    expect(set.__typename).toBe('ResponsiveSet');
    // 960 and 1600 both collapse to the crop's 500: two files per format, not three.
    expect(set.compressions.map((c: Record<string, any>) => `${c.format} ${c.width}x${c.height}`)).toEqual([
      'WEBP 480x288',
      'WEBP 500x300',
      'JPEG 480x288',
      'JPEG 500x300',
    ]);
    const [img] = elements(parseFragment(set.html), 'img').map(attributes);
    expect(img).toMatchObject({ width: '500', height: '300' });
    expect(img!.srcset!.split(', ').map((candidate) => candidate.split(' ')[1])).toEqual(['480w', '500w']);
    // The <img>'s size is the file it serves.
    const served = await sharp(Buffer.from(await (await fetch(img!.src!)).arrayBuffer())).metadata();
    expect(`${served.width}x${served.height}`).toBe(`${img!.width}x${img!.height}`);

    // Turned a quarter, the 500×300 crop is 300 wide: every width becomes that one.
    const turned = await makeSet({
      imageId,
      widths: [480, 960],
      formats: ['WEBP'],
      options: { quality: 60, effort: 'FAST', transform: { crop, rotate: 90 } },
    });
    expect(turned.compressions.map((c: Record<string, any>) => `${c.width}x${c.height}`)).toEqual(['300x500']);
    const [turnedImg] = elements(parseFragment(turned.html), 'img').map(attributes);
    expect(turnedImg).toMatchObject({ width: '300', height: '500' });
    const turnedServed = await sharp(Buffer.from(await (await fetch(turnedImg!.src!)).arrayBuffer())).metadata();
    expect(`${turnedServed.width}x${turnedServed.height}`).toBe('300x500');
  });

  it('uses the one format as the <img> when given one, with no <source>', async () => {
    const imageId = await storeImage(server, token, await makeImage(300, 200, 'png'), 'flat.png');
    const set = await makeSet({ imageId, widths: [100, 200], formats: ['WEBP'] });
    const fragment = parseFragment(set.html);
    expect(elements(fragment, 'source')).toEqual([]);
    const [img] = elements(fragment, 'img').map(attributes);
    expect(img!.srcset).toMatch(/ 100w, .* 200w$/);
    expect(img).toMatchObject({ width: '200', height: '133' });
  });

  it.each([
    [{ widths: [], formats: ['WEBP'] }, 'widths'],
    [{ widths: [1, 2, 3, 4, 5, 6, 7, 8, 9], formats: ['WEBP'] }, 'widths'],
    [{ widths: [0], formats: ['WEBP'] }, 'widths'],
    [{ widths: [16385], formats: ['WEBP'] }, 'widths'],
    [{ widths: [100], formats: [] }, 'formats'],
    [{ widths: [100], formats: ['AUTO'] }, 'formats'],
    [{ widths: [100], formats: ['JPEG', 'PNG', 'WEBP', 'AVIF', 'JPEG'] }, 'formats'],
    [{ widths: [100], formats: ['WEBP'], options: { width: 50 } }, 'options.width'],
    [{ widths: [100], formats: ['WEBP'], options: { format: 'JPEG' } }, 'options.format'],
    [{ widths: [100], formats: ['WEBP'], options: { quality: 101 } }, 'options.quality'],
  ])('refuses %j with a ValidationError on %s, storing nothing', async (variables, field) => {
    const before = await storedAndScratch(server);
    expect(await makeSet({ imageId: photoId, ...variables })).toMatchObject({ __typename: 'ValidationError', field });
    expect(await storedAndScratch(server)).toEqual(before);
  });

  it("answers NotFoundError for someone else's image", async () => {
    const stranger = await server.signUp();
    expect(await makeSet({ imageId: photoId, widths: [100], formats: ['WEBP'] }, stranger)).toMatchObject({ __typename: 'NotFoundError' });
  });
});

describe('the per-image quota, taken by the set as a whole', () => {
  it('refuses a set that does not fit whole, storing none of it', async () => {
    const imageId = await storeImage(server, token, await makeImage(400, 300, 'jpeg'));
    expect((await makeSet({ imageId, widths: [100, 200, 300], formats: ['JPEG', 'WEBP'], options: { effort: 'FAST' } })).__typename).toBe(
      'ResponsiveSet',
    );
    const before = await storedAndScratch(server);
    // 6 stored of 12: a set of 8 does not fit, even though 6 of its files would.
    const refused = await makeSet({ imageId, widths: [100, 200, 300, 400], formats: ['JPEG', 'WEBP'] });
    expect(refused).toMatchObject({ __typename: 'QuotaExceededError', code: 'QUOTA_EXCEEDED', limit: 12 });
    expect(await compressionCount(server, imageId)).toBe(6);
    expect(await storedAndScratch(server)).toEqual(before);
  });

  it('never lets concurrent sets overrun it', async () => {
    const imageId = await storeImage(server, token, await makeImage(400, 300, 'jpeg'));
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () =>
        makeSet({ imageId, widths: [60, 120, 180, 240, 300], formats: ['JPEG'], options: { effort: 'FAST' } }),
      ),
    );
    // 12 slots hold two sets of five; the other two are refused whole.
    expect(outcomes.map((outcome) => outcome.__typename).sort()).toEqual([
      'QuotaExceededError',
      'QuotaExceededError',
      'ResponsiveSet',
      'ResponsiveSet',
    ]);
    expect(await compressionCount(server, imageId)).toBe(10);
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });
});

describe('a set that fails midway', () => {
  it('leaves no files, no records and no links behind', async () => {
    // WebP stops at 16383 px, AVIF at 16384: the set's AVIF file is made and written, then its
    // WebP file fails.
    const imageId = await storeImage(server, token, await makeImage(16_384, 4, 'png'), 'strip.png');
    const linksBefore = (await server.gql(`{ shareLinks { id } }`, {}, token)).data!.shareLinks.length;
    const before = await storedAndScratch(server);
    const failed = await server.gql(SET, { imageId, widths: [16_384], formats: ['WEBP', 'AVIF'], options: { effort: 'FAST' } }, token);
    expect(failed.data?.compressResponsive?.__typename).not.toBe('ResponsiveSet');
    expect(failed.errors ?? failed.data?.compressResponsive).toBeTruthy();
    expect(await compressionCount(server, imageId)).toBe(0);
    expect(await storedAndScratch(server)).toEqual(before);
    expect((await server.gql(`{ shareLinks { id } }`, {}, token)).data!.shareLinks).toHaveLength(linksBefore);
  });
});
