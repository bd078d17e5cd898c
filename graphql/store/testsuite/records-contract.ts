// One behaviour, every backend: the RecordStore and RateCounters contract as tests that any backend
// runs by handing over a way to open itself (as imgproxy's storage/testsuite does). Listing is held
// to image-query.ts, the reference over an array: a backend's pages, cursors and totals must equal
// what it gives for the same records.
//
// The store is opened once per suite; every test makes its own users, so tests never see each
// other's records (only counts() and storedFiles() are global, and those tests look at deltas or at
// their own users).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.ts';
import { queryImages as referenceQuery, type ImageOrder, type ImageQuery } from '../image-query.ts';
import {
  isRefusal,
  type CompressionReservation,
  type ImageReservation,
  type QuotaLimits,
  type QuotaRefusal,
  type RateCounters,
  type RecordStore,
} from '../ports.ts';
import type { CompressionRecord, CompressionSettings, ImageRecord, PresetRecord, ShareLinkRecord, UserRecord } from '../records.ts';

export interface ContractBackend {
  records: RecordStore;
  rateCounters: RateCounters;
  cleanup(): Promise<void>;
}

const ROOMY: QuotaLimits = { quotaImages: 1_000_000, quotaCompressionsPerImage: 1_000_000, quotaFiles: 10_000_000, quotaBytes: 1e12 };
const ORDERS: ImageOrder[] = ['NEWEST', 'OLDEST', 'NAME', 'LARGEST', 'SMALLEST'];

/** A fixed moment plus `seconds`, as the ISO string records carry. */
function at(seconds: number): string {
  return new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function expectGranted<T extends object>(value: T | QuotaRefusal): T {
  if (isRefusal(value)) throw new Error(`expected a slot, got a refusal: ${JSON.stringify(value)}`);
  return value;
}

export function describeRecordStoreContract(name: string, open: () => Promise<ContractBackend>): void {
  describe(`RecordStore and RateCounters contract: ${name}`, () => {
    let backend: ContractBackend;
    let records: RecordStore;
    let rateCounters: RateCounters;

    beforeAll(async () => {
      backend = await open();
      records = backend.records;
      rateCounters = backend.rateCounters;
    });
    afterAll(async () => {
      await backend?.cleanup();
    });

    async function newUser(username = `user-${randomUUID().slice(0, 8)}`): Promise<UserRecord> {
      const user: UserRecord = {
        id: randomUUID(),
        username,
        usernameKey: username.toLowerCase(),
        passwordHash: '$2b$10$hash',
        createdAt: new Date().toISOString(),
        tokenVersion: 0,
      };
      expect(await records.insertUser(user)).toBe(true);
      return user;
    }

    function imageRecord(user: UserRecord, fields: Partial<ImageRecord> = {}): ImageRecord {
      const id = fields.id ?? randomUUID();
      const createdAt = fields.createdAt ?? at(0);
      return {
        id,
        userId: user.id,
        name: 'photo.jpg',
        tags: [],
        format: 'JPEG',
        mimeType: 'image/jpeg',
        width: 640,
        height: 480,
        bytes: 1000,
        file: `${user.id}/${id}.jpg`,
        thumbnailFile: `${user.id}/thumbnails/${id}.webp`,
        thumbnailBytes: 100,
        displayFile: `${user.id}/renditions/${id}.webp`,
        photoFacts: {
          camera: 'Fujifilm X-T5',
          lens: null,
          exposureTime: 0.004,
          fNumber: 2.8,
          iso: 400,
          focalLength: 23,
          takenAt: '2024-05-01T14:03:22',
          colourProfile: 'sRGB IEC61966-2.1',
        },
        createdAt,
        updatedAt: createdAt,
        ...fields,
      };
    }

    function compressionRecord(image: ImageRecord, fields: Partial<CompressionRecord> = {}): CompressionRecord {
      const id = fields.id ?? randomUUID();
      return {
        id,
        imageId: image.id,
        userId: image.userId,
        format: 'WEBP',
        mimeType: 'image/webp',
        width: 320,
        height: 240,
        bytes: 300,
        quality: 80,
        ssim: 0.987654321,
        file: `${image.userId}/compressions/${id}.webp`,
        createdAt: at(100),
        ...fields,
      };
    }

    async function storeImage(image: ImageRecord): Promise<ImageRecord> {
      const reservation = expectGranted(await records.reserveImage(image.userId, ROOMY));
      await reservation.commit(image);
      return image;
    }

    async function storeCompression(compression: CompressionRecord): Promise<CompressionRecord> {
      const reservation = expectGranted(await records.reserveCompression(compression.userId, compression.imageId, ROOMY));
      expect(await reservation.commit(compression)).toBe(true);
      return compression;
    }

    /** Every page of a listing, following endCursor, each page checked against the reference. */
    async function pageThrough(user: UserRecord, all: ImageRecord[], query: Omit<ImageQuery, 'after'>): Promise<string[]> {
      const ids: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await records.queryImages(user.id, { ...query, after });
        expect(page).toEqual(referenceQuery(all, { ...query, after }));
        ids.push(...page.edges.map((edge) => edge.node.id));
        if (!page.hasNextPage) return ids;
        after = page.endCursor;
      }
      throw new Error('the listing never ended');
    }

    describe('users', () => {
      it('changes a password and raises the token version; deletes a user with everything it owns, naming its files', async () => {
        const user = await newUser();
        const changed = await records.changePassword(user.id, '$2b$10$other');
        expect(changed).toEqual({ ...user, passwordHash: '$2b$10$other', tokenVersion: 1 });
        expect(await records.getUser(user.id)).toEqual(changed);
        expect(await records.changePassword(randomUUID(), 'x')).toBeUndefined();

        const image = await storeImage(imageRecord(user));
        const older = await storeImage(imageRecord(user, { displayFile: null }));
        const compression = await storeCompression(compressionRecord(image));
        const removed = await records.deleteUser(user.id);
        expect(removed?.files.sort()).toEqual(
          [image.file, image.thumbnailFile, image.displayFile!, older.file, older.thumbnailFile, compression.file].sort(),
        );
        expect(await records.getUser(user.id)).toBeUndefined();
        expect(await records.getImage(user.id, image.id)).toBeUndefined();
        expect(await records.getCompression(user.id, compression.id)).toBeUndefined();
        expect(await records.deleteUser(user.id)).toBeUndefined();
        // The name is free again.
        expect(await records.insertUser({ ...user, id: randomUUID() })).toBe(true);
      });

      it('remembers ended sessions', async () => {
        const tokenId = randomUUID();
        expect(await records.isTokenRevoked(tokenId)).toBe(false);
        await records.revokeToken(tokenId, new Date(Date.now() + 60_000));
        await records.revokeToken(tokenId, new Date(Date.now() + 60_000));
        expect(await records.isTokenRevoked(tokenId)).toBe(true);
        expect(await records.isTokenRevoked(randomUUID())).toBe(false);
      });

      it('finds a user by name ignoring case, and by id', async () => {
        const user = await newUser(`Mixed-${randomUUID().slice(0, 8)}`);
        expect(await records.findUserByUsername(user.username.toUpperCase())).toEqual(user);
        expect(await records.findUserByUsername(user.username.toLowerCase())).toEqual(user);
        expect(await records.getUser(user.id)).toEqual(user);
        expect(await records.getUser(randomUUID())).toBeUndefined();
        expect(await records.getUser('not-an-id')).toBeUndefined();
        expect(await records.findUserByUsername(`nobody-${randomUUID()}`)).toBeUndefined();
      });

      it('refuses a second user whose name differs only in case', async () => {
        const user = await newUser(`Taken-${randomUUID().slice(0, 8)}`);
        const twin: UserRecord = { ...user, id: randomUUID(), username: user.username.toUpperCase(), usernameKey: user.usernameKey };
        expect(await records.insertUser(twin)).toBe(false);
        expect(await records.getUser(twin.id)).toBeUndefined();
      });

      it('lets exactly one of many concurrent inserts of one name win', async () => {
        const name = `race-${randomUUID().slice(0, 8)}`;
        const contenders: UserRecord[] = Array.from({ length: 12 }, (_, index) => {
          const username = index % 2 === 0 ? name : name.toUpperCase();
          return {
            id: randomUUID(),
            username,
            usernameKey: username.toLowerCase(),
            passwordHash: 'h',
            createdAt: new Date().toISOString(),
            tokenVersion: 0,
          };
        });
        const results = await Promise.all(contenders.map((user) => records.insertUser(user)));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = contenders[results.indexOf(true)]!;
        expect(await records.findUserByUsername(name)).toEqual(winner);
      });
    });

    describe('images', () => {
      it('stores an image and gives it back exactly, to its owner only', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const image = await storeImage(
          imageRecord(owner, {
            name: 'Beach – Ärger.PNG',
            tags: ['zeta', 'alpha', 'Ünïcode'],
            createdAt: '2026-03-04T05:06:07.089Z',
            updatedAt: '2026-03-04T05:06:08.001Z',
            bytes: 123_456_789_012,
            width: 1,
            height: 65535,
          }),
        );
        expect(await records.getImage(owner.id, image.id)).toEqual(image);
        expect(await records.getImage(stranger.id, image.id)).toBeUndefined();
        expect(await records.getImage(owner.id, randomUUID())).toBeUndefined();
        expect(await records.getImage(owner.id, 'not-an-id')).toBeUndefined();
      });

      it('renames and retags, stamping updatedAt, for the owner only', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const image = await storeImage(imageRecord(owner, { name: 'old', tags: ['a'] }));
        const before = Date.now();
        const renamed = await records.updateImage(owner.id, image.id, { name: 'New Name' });
        expect(renamed).toEqual({ ...image, name: 'New Name', updatedAt: renamed!.updatedAt });
        expect(Date.parse(renamed!.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
        const retagged = await records.updateImage(owner.id, image.id, { tags: ['b', 'c'] });
        expect(retagged).toMatchObject({ name: 'New Name', tags: ['b', 'c'] });
        expect(await records.getImage(owner.id, image.id)).toEqual(retagged);
        expect(await records.updateImage(stranger.id, image.id, { name: 'stolen' })).toBeUndefined();
        expect(await records.updateImage(owner.id, randomUUID(), { name: 'ghost' })).toBeUndefined();
        // The new name is what search and the NAME order see.
        const found = await records.queryImages(owner.id, { first: 10, after: null, orderBy: 'NAME', search: 'new n', tag: null });
        expect(found.edges.map((edge) => edge.node.id)).toEqual([image.id]);
      });

      it('changes tags in one unit of work: concurrent changes of one image each keep the others', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const image = await storeImage(imageRecord(owner, { tags: ['old', 'keep'] }));
        const added = Array.from({ length: 10 }, (_, index) => `tag-${index}`);
        const results = await Promise.all(added.map((tag) => records.changeTags(owner.id, image.id, { add: [tag], remove: ['old'] }, 20)));
        expect(results.every((result) => typeof result === 'object')).toBe(true);
        const stored = await records.getImage(owner.id, image.id);
        expect(stored!.tags).toHaveLength(11);
        expect(new Set(stored!.tags)).toEqual(new Set(['keep', ...added]));
        expect(Date.parse(stored!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(image.updatedAt));
        // Already there: not added twice; the image's own order comes first.
        const tagsBefore = [...stored!.tags];
        expect(await records.changeTags(owner.id, image.id, { add: ['keep', 'new'], remove: [] }, 20)).toMatchObject({
          tags: [...tagsBefore, 'new'],
        });
        expect(await records.changeTags(stranger.id, image.id, { add: ['stolen'], remove: [] }, 20)).toBeUndefined();
        expect(await records.changeTags(owner.id, randomUUID(), { add: ['ghost'], remove: [] }, 20)).toBeUndefined();
      });

      it('refuses a tag change past the limit, changing nothing, even when changes race for the last places', async () => {
        const owner = await newUser();
        const image = await storeImage(imageRecord(owner, { tags: ['a', 'b', 'c'] }));
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, index) => records.changeTags(owner.id, image.id, { add: [`more-${index}`], remove: [] }, 5)),
        );
        expect(results.filter((result) => result === 'limit')).toHaveLength(4);
        const full = [...(await records.getImage(owner.id, image.id))!.tags];
        expect(full).toHaveLength(5);
        // Removals are applied before the limit is judged; additions still count.
        expect(await records.changeTags(owner.id, image.id, { add: ['x', 'y'], remove: ['a'] }, 5)).toBe('limit');
        expect((await records.getImage(owner.id, image.id))!.tags).toEqual(full);
        expect(await records.changeTags(owner.id, image.id, { add: ['x'], remove: ['a'] }, 5)).toMatchObject({
          tags: [...full.filter((tag) => tag !== 'a'), 'x'],
        });
      });

      it('looks up many images of one user in one call', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const [first, second] = [await storeImage(imageRecord(owner)), await storeImage(imageRecord(owner))];
        const theirs = await storeImage(imageRecord(stranger));
        const found = await records.getImages(owner.id, [first.id, randomUUID(), theirs.id, second.id, first.id, 'junk']);
        expect([...found.keys()].sort()).toEqual([first.id, second.id].sort());
        expect(found.get(first.id)).toEqual(first);
        expect(found.get(second.id)).toEqual(second);
        expect((await records.getImages(owner.id, [])).size).toBe(0);
      });

      it('removes an image with its compressions and returns them all', async () => {
        const owner = await newUser();
        const image = await storeImage(imageRecord(owner));
        const kept = await storeImage(imageRecord(owner));
        const compressions = [
          await storeCompression(compressionRecord(image, { createdAt: at(1) })),
          await storeCompression(compressionRecord(image, { createdAt: at(2) })),
        ];
        const keptCompression = await storeCompression(compressionRecord(kept));
        const removed = await records.removeImage(owner.id, image.id);
        expect(removed?.image).toEqual(image);
        expect(removed?.compressions).toEqual([compressions[1], compressions[0]]);
        expect(await records.getImage(owner.id, image.id)).toBeUndefined();
        expect(await records.getCompression(owner.id, compressions[0]!.id)).toBeUndefined();
        expect((await records.listCompressions([image.id])).get(image.id) ?? []).toEqual([]);
        expect(await records.removeImage(owner.id, image.id)).toBeUndefined();
        expect(await records.getCompression(owner.id, keptCompression.id)).toEqual(keptCompression);
        expect((await records.usage([owner.id])).get(owner.id)).toEqual({ images: 1, files: 2, bytes: kept.bytes + keptCompression.bytes });
      });

      it('does not let one user remove another user’s image', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const image = await storeImage(imageRecord(owner));
        expect(await records.removeImage(stranger.id, image.id)).toBeUndefined();
        expect(await records.getImage(owner.id, image.id)).toEqual(image);
      });
    });

    describe('listing', () => {
      async function gallery(): Promise<{ user: UserRecord; images: ImageRecord[] }> {
        const user = await newUser();
        const images: ImageRecord[] = [];
        // Ties on every key (createdAt, lower-cased name, bytes), so the id tie-break is exercised.
        const specs: Array<Partial<ImageRecord>> = [
          { name: 'beta', bytes: 500, createdAt: at(10), tags: ['x'] },
          { name: 'Beta', bytes: 500, createdAt: at(10), tags: ['x', 'y'] },
          { name: 'alpha', bytes: 100, createdAt: at(20), tags: [] },
          { name: 'Gamma ray', bytes: 9_000_000_000, createdAt: at(5), tags: ['y'] },
          { name: 'delta', bytes: 100, createdAt: at(30), tags: ['x'] },
          { name: 'Zulu', bytes: 42, createdAt: at(10), tags: ['X'] },
          { name: 'épée', bytes: 7, createdAt: at(40), tags: ['x'] },
          { name: 'a', bytes: 500, createdAt: at(1), tags: ['y'] },
        ];
        for (const spec of specs) images.push(await storeImage(imageRecord(user, spec)));
        return { user, images };
      }

      it('pages through every order, as the reference does, with and without filters', async () => {
        const { user, images } = await gallery();
        for (const orderBy of ORDERS) {
          for (const filter of [
            { search: null, tag: null },
            { search: null, tag: 'x' },
            { search: 'A', tag: null },
            { search: 'e', tag: 'y' },
          ]) {
            const ids = await pageThrough(user, images, { first: 3, orderBy, ...filter });
            expect(new Set(ids).size).toBe(ids.length);
          }
          const all = await pageThrough(user, images, { first: 100, orderBy, search: null, tag: null });
          expect(all).toHaveLength(images.length);
        }
      });

      it('keeps pages stable when images are added between them', async () => {
        const { user, images } = await gallery();
        for (const [round, orderBy] of ORDERS.entries()) {
          const first = await records.queryImages(user.id, { first: 3, after: null, orderBy, search: null, tag: null });
          // One image that sorts strictly first and one that sorts after the cursor, in this order
          // (strictly: no tie with what earlier rounds added, whose ids would decide).
          const added = [
            await storeImage(
              imageRecord(user, {
                name: `${'!'.repeat(round + 1)}first`,
                bytes: orderBy === 'SMALLEST' ? 0 : 100_000_000_000 + round,
                createdAt: orderBy === 'OLDEST' ? at(-1000 - round) : at(1000 + round),
              }),
            ),
            await storeImage(
              imageRecord(user, {
                name: '~last',
                bytes: orderBy === 'SMALLEST' ? 99_000_000_000 : 1,
                createdAt: orderBy === 'OLDEST' ? at(2000) : at(-100),
              }),
            ),
          ];
          images.push(...added);
          const second = await records.queryImages(user.id, { first: 100, after: first.endCursor, orderBy, search: null, tag: null });
          expect(second).toEqual(referenceQuery(images, { first: 100, after: first.endCursor, orderBy, search: null, tag: null }));
          const seen = [...first.edges, ...second.edges].map((edge) => edge.node.id);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen).not.toContain(added[0]!.id);
          expect(seen).toContain(added[1]!.id);
          expect(second.totalCount).toBe(images.length);
        }
      });

      it('refuses page sizes out of range and cursors it did not issue, as the reference does', async () => {
        const { user } = await gallery();
        for (const first of [-1, 101, 1.5]) {
          const error = await records
            .queryImages(user.id, { first, after: null, orderBy: 'NEWEST', search: null, tag: null })
            .catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(ValidationError);
          expect(error).toMatchObject({ field: 'first' });
        }
        const error = await records
          .queryImages(user.id, { first: 2, after: 'garbage!', orderBy: 'NAME', search: null, tag: null })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ field: 'after' });
        const empty = await records.queryImages(user.id, { first: 0, after: null, orderBy: 'NEWEST', search: null, tag: null });
        expect(empty).toEqual({ edges: [], hasNextPage: true, endCursor: null, totalCount: 8 });
      });

      it('searches names case-insensitively, with % _ and \\ taken literally', async () => {
        const user = await newUser();
        const names = [
          '100% Juice',
          '1000 apples',
          'snake_case',
          'snakeXcase',
          'Back\\slash',
          'Backslash',
          'CAPITAL letters',
          'Ärger',
          'plain',
        ];
        const images: ImageRecord[] = [];
        for (const [index, name] of names.entries()) images.push(await storeImage(imageRecord(user, { name, createdAt: at(index) })));
        const namesFound = async (search: string) => {
          const page = await records.queryImages(user.id, { first: 100, after: null, orderBy: 'OLDEST', search, tag: null });
          expect(page).toEqual(referenceQuery(images, { first: 100, after: null, orderBy: 'OLDEST', search, tag: null }));
          expect(page.totalCount).toBe(page.edges.length);
          return page.edges.map((edge) => edge.node.name);
        };
        expect(await namesFound('%')).toEqual(['100% Juice']);
        expect(await namesFound('0%')).toEqual(['100% Juice']);
        expect(await namesFound('_')).toEqual(['snake_case']);
        expect(await namesFound('\\')).toEqual(['Back\\slash']);
        expect(await namesFound('capital')).toEqual(['CAPITAL letters']);
        expect(await namesFound('  Capital L ')).toEqual(['CAPITAL letters']);
        expect(await namesFound('ärg')).toEqual(['Ärger']);
        expect(await namesFound('ke')).toEqual(['snake_case', 'snakeXcase']);
        expect(await namesFound('   ')).toEqual(names);
        expect(await namesFound('nothing like it')).toEqual([]);
      });

      it('orders names as JavaScript compares strings, by UTF-16 code unit, and searches beyond the BMP', async () => {
        const user = await newUser();
        // Code point order would put the emoji last; code unit order puts its surrogates before U+FF01.
        const names = ['ｚ fullwidth', '😀 smile', '！ bang', 'a plain', '\u{10FFFF} last plane', '\uFFFD replacement', 'Émile'];
        const images: ImageRecord[] = [];
        for (const name of names) images.push(await storeImage(imageRecord(user, { name })));
        const ids = await pageThrough(user, images, { first: 2, orderBy: 'NAME', search: null, tag: null });
        expect(ids.map((id) => images.find((image) => image.id === id)!.name)).toEqual(
          [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
        );
        for (const search of ['😀', 'ｚ', '！ b', '\u{10FFFF}', 'émi'])
          await pageThrough(user, images, { first: 5, orderBy: 'NAME', search, tag: null });
      });

      it('finds nothing, without failing, for searches and tags no name can hold', async () => {
        const user = await newUser();
        const images = [await storeImage(imageRecord(user, { name: 'a\u200Bb', tags: ['t'] }))];
        for (const [search, tag] of [
          ['\0', null],
          ['a\0', null],
          [null, '\0'],
          [null, 't\0'],
        ] as const) {
          const page = await records.queryImages(user.id, { first: 5, after: null, orderBy: 'NAME', search, tag });
          expect(page).toEqual(referenceQuery(images, { first: 5, after: null, orderBy: 'NAME', search, tag }));
          expect(page.totalCount).toBe(0);
        }
        expect(await records.findUserByUsername(`${user.username}\0`)).toBeUndefined();
      });

      it('filters by one whole tag, ignoring the case of the tag asked for (tags are stored lower-cased)', async () => {
        const user = await newUser();
        const images = [
          await storeImage(imageRecord(user, { tags: ['cat'], createdAt: at(1) })),
          await storeImage(imageRecord(user, { tags: ['kitten', 'dog'], createdAt: at(2) })),
          await storeImage(imageRecord(user, { tags: ['cats', 'dog', 'cat'], createdAt: at(3) })),
        ];
        const withTag = async (tag: string) => {
          const page = await records.queryImages(user.id, { first: 10, after: null, orderBy: 'OLDEST', search: null, tag });
          expect(page).toEqual(referenceQuery(images, { first: 10, after: null, orderBy: 'OLDEST', search: null, tag }));
          return page.edges.map((edge) => images.indexOf(images.find((image) => image.id === edge.node.id)!));
        };
        expect(await withTag('cat')).toEqual([0, 2]);
        expect(await withTag('CAT')).toEqual([0, 2]);
        expect(await withTag('Kitten')).toEqual([1]);
        expect(await withTag('dog')).toEqual([1, 2]);
        expect(await withTag('ca')).toEqual([]);
      });

      it('searches tags as well as names, with % _ and \\ taken literally', async () => {
        const user = await newUser();
        const images = [
          await storeImage(imageRecord(user, { name: 'IMG_0001', tags: ['woodland', 'autumn'], createdAt: at(1) })),
          await storeImage(imageRecord(user, { name: 'Wooden bridge', tags: [], createdAt: at(2) })),
          await storeImage(imageRecord(user, { name: 'IMG_0003', tags: ['50%_off'], createdAt: at(3) })),
          await storeImage(imageRecord(user, { name: 'IMG_0004', tags: ['beach'], createdAt: at(4) })),
        ];
        const found = async (search: string) => {
          const page = await records.queryImages(user.id, { first: 10, after: null, orderBy: 'OLDEST', search, tag: null });
          expect(page).toEqual(referenceQuery(images, { first: 10, after: null, orderBy: 'OLDEST', search, tag: null }));
          expect(page.totalCount).toBe(page.edges.length);
          return page.edges.map((edge) => edge.node.name);
        };
        expect(await found('WOOD')).toEqual(['IMG_0001', 'Wooden bridge']);
        expect(await found('tum')).toEqual(['IMG_0001']);
        expect(await found('%_')).toEqual(['IMG_0003']);
        expect(await found('0%')).toEqual(['IMG_0003']);
        expect(await found('img_000')).toEqual(['IMG_0001', 'IMG_0003', 'IMG_0004']);
        expect(await found('sand')).toEqual([]);
        // Search and tag together: both must hold.
        const both = await records.queryImages(user.id, { first: 10, after: null, orderBy: 'OLDEST', search: 'wood', tag: 'Autumn' });
        expect(both.edges.map((edge) => edge.node.name)).toEqual(['IMG_0001']);
      });

      it('counts tags, most used first, then by name', async () => {
        const user = await newUser();
        const other = await newUser();
        for (const tags of [['b', 'a'], ['a', 'c'], ['a', 'b'], ['Z'], ['c']]) await storeImage(imageRecord(user, { tags }));
        await storeImage(imageRecord(other, { tags: ['a', 'q'] }));
        expect(await records.tagCounts(user.id)).toEqual(
          [
            { name: 'a', count: 3 },
            { name: 'b', count: 2 },
            { name: 'c', count: 2 },
            { name: 'Z', count: 1 },
          ].sort((x, y) => y.count - x.count || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
        );
        expect(await records.tagCounts((await newUser()).id)).toEqual([]);
      });

      it('gives an empty page for a user without images', async () => {
        const user = await newUser();
        expect(await records.queryImages(user.id, { first: 5, after: null, orderBy: 'NAME', search: null, tag: null })).toEqual({
          edges: [],
          hasNextPage: false,
          endCursor: null,
          totalCount: 0,
        });
      });
    });

    describe('compressions', () => {
      it('lists the compressions of many images in one call, newest first', async () => {
        const user = await newUser();
        const busy = await storeImage(imageRecord(user));
        const idle = await storeImage(imageRecord(user));
        const made = [
          await storeCompression(compressionRecord(busy, { createdAt: at(5) })),
          await storeCompression(compressionRecord(busy, { createdAt: at(9) })),
          await storeCompression(compressionRecord(busy, { createdAt: at(5) })),
          await storeCompression(compressionRecord(busy, { createdAt: at(1), ssim: null })),
        ];
        const newestFirst = [...made].sort((a, b) =>
          b.createdAt < a.createdAt ? -1 : b.createdAt > a.createdAt ? 1 : b.id < a.id ? -1 : 1,
        );
        const unknown = randomUUID();
        const listed = await records.listCompressions([busy.id, idle.id, unknown]);
        expect(listed.get(busy.id)).toEqual(newestFirst);
        expect(listed.get(idle.id) ?? []).toEqual([]);
        expect(listed.get(unknown) ?? []).toEqual([]);
      });

      it('finds and removes a compression for its owner only, keeping usage in step', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const image = await storeImage(imageRecord(owner, { bytes: 1000 }));
        const compression = await storeCompression(compressionRecord(image, { bytes: 250 }));
        expect(await records.getCompression(owner.id, compression.id)).toEqual(compression);
        expect(await records.getCompression(stranger.id, compression.id)).toBeUndefined();
        expect(await records.getCompression(owner.id, 'nope')).toBeUndefined();
        expect(await records.removeCompression(stranger.id, compression.id)).toBeUndefined();
        expect((await records.usage([owner.id])).get(owner.id)).toEqual({ images: 1, files: 2, bytes: 1250 });
        expect(await records.removeCompression(owner.id, compression.id)).toEqual(compression);
        expect(await records.removeCompression(owner.id, compression.id)).toBeUndefined();
        expect((await records.usage([owner.id])).get(owner.id)).toEqual({ images: 1, files: 1, bytes: 1000 });
      });

      it('keeps the options a compression was made with, and reads one stored without them as it was', async () => {
        const user = await newUser();
        const image = await storeImage(imageRecord(user));
        const options: CompressionSettings = {
          width: 800,
          height: 600,
          fit: 'COVER',
          format: 'AUTO',
          quality: null,
          targetSsim: 0.97,
          maxBytes: null,
          effort: 'SMALLEST',
          transform: {
            crop: { left: 10, top: 20, width: 1600, height: 1200 },
            rotate: 270,
            flip: true,
            flop: false,
            brightness: 1.25,
            saturation: 0.5,
            hue: -45,
            grayscale: false,
            sharpen: 1.5,
            blur: null,
            focus: 'ENTROPY',
            background: '#ff8800',
          },
        };
        const withOptions = await storeCompression(compressionRecord(image, { options }));
        const without = await storeCompression(compressionRecord(image, { createdAt: at(50) }));
        expect(await records.getCompression(user.id, withOptions.id)).toEqual(withOptions);
        const listed = await records.listCompressions([image.id]);
        expect(listed.get(image.id)).toEqual([withOptions, without]);
        expect(listed.get(image.id)![0]!.options).toEqual(options);
        expect(listed.get(image.id)![1]!.options ?? null).toBeNull();
      });
    });

    describe('usage and quotas', () => {
      it('reports usage of several users at once', async () => {
        const [first, second, empty] = [await newUser(), await newUser(), await newUser()];
        const image = await storeImage(imageRecord(first, { bytes: 10 }));
        await storeCompression(compressionRecord(image, { bytes: 5 }));
        await storeImage(imageRecord(second, { bytes: 7 }));
        const usage = await records.usage([first.id, second.id, empty.id]);
        expect(usage.get(first.id)).toEqual({ images: 1, files: 2, bytes: 15 });
        expect(usage.get(second.id)).toEqual({ images: 1, files: 1, bytes: 7 });
        expect(usage.get(empty.id)).toEqual({ images: 0, files: 0, bytes: 0 });
      });

      it('never grants more image slots than the quota, however many ask at once', async () => {
        const user = await newUser();
        const limits = { ...ROOMY, quotaImages: 5 };
        const answers = await Promise.all(Array.from({ length: 16 }, () => records.reserveImage(user.id, limits)));
        const granted = answers.filter((answer): answer is ImageReservation => !isRefusal(answer));
        expect(granted).toHaveLength(5);
        expect(answers.filter(isRefusal)).toEqual(Array.from({ length: 11 }, () => ({ kind: 'images', limit: 5 })));
        // Two become images, three are given back: three slots free again, and no more.
        await granted[0]!.commit(imageRecord(user));
        await granted[1]!.commit(imageRecord(user));
        for (const reservation of granted.slice(2)) await reservation.release();
        for (const reservation of granted) await reservation.release();
        const again = await Promise.all(Array.from({ length: 6 }, () => records.reserveImage(user.id, limits)));
        expect(again.filter((answer) => !isRefusal(answer))).toHaveLength(3);
        for (const answer of again) if (!isRefusal(answer)) await answer.release();
        expect((await records.usage([user.id])).get(user.id)?.images).toBe(2);
      });

      it('counts files across images and compressions', async () => {
        const user = await newUser();
        const limits = { ...ROOMY, quotaFiles: 3 };
        const image = await storeImage(imageRecord(user));
        await storeCompression(compressionRecord(image));
        const held = expectGranted(await records.reserveImage(user.id, limits));
        expect(await records.reserveImage(user.id, limits)).toEqual({ kind: 'files', limit: 3 });
        expect(await records.reserveCompression(user.id, image.id, limits)).toEqual({ kind: 'files', limit: 3 });
        await held.release();
        const compression = expectGranted(await records.reserveCompression(user.id, image.id, limits));
        expect(await compression.commit(compressionRecord(image))).toBe(true);
        expect(await records.reserveImage(user.id, limits)).toEqual({ kind: 'files', limit: 3 });
      });

      it('never grants more compression slots for one image than its quota', async () => {
        const user = await newUser();
        const image = await storeImage(imageRecord(user));
        const other = await storeImage(imageRecord(user));
        const limits = { ...ROOMY, quotaCompressionsPerImage: 2 };
        await storeCompression(compressionRecord(image));
        const answers = await Promise.all(Array.from({ length: 8 }, () => records.reserveCompression(user.id, image.id, limits)));
        const granted = answers.filter((answer): answer is CompressionReservation => !isRefusal(answer));
        expect(granted).toHaveLength(1);
        expect(answers.filter(isRefusal)[0]).toEqual({ kind: 'compressionsPerImage', limit: 2 });
        // Another image of the same user has its own count.
        const forOther = expectGranted(await records.reserveCompression(user.id, other.id, limits));
        expect(await granted[0]!.commit(compressionRecord(image))).toBe(true);
        expect(await records.reserveCompression(user.id, image.id, limits)).toEqual({ kind: 'compressionsPerImage', limit: 2 });
        await forOther.release();
      });

      it('writes nothing when the image was deleted before the compression committed, and gives the slot back', async () => {
        const user = await newUser();
        const image = await storeImage(imageRecord(user));
        const limits = { ...ROOMY, quotaFiles: 2 };
        const reservation = expectGranted(await records.reserveCompression(user.id, image.id, limits));
        expect(await records.removeImage(user.id, image.id)).toBeDefined();
        const compression = compressionRecord(image);
        expect(await reservation.commit(compression)).toBe(false);
        await reservation.release();
        expect(await records.getCompression(user.id, compression.id)).toBeUndefined();
        expect((await records.usage([user.id])).get(user.id)).toEqual({ images: 0, files: 0, bytes: 0 });
        // Both files are free again: the lost compression's slot was given back.
        const slots = [
          expectGranted(await records.reserveImage(user.id, limits)),
          expectGranted(await records.reserveImage(user.id, limits)),
        ];
        for (const slot of slots) await slot.release();
      });

      it('never lets parallel commits add up past the byte quota, and refuses new slots once it is full', async () => {
        const user = await newUser();
        const limits = { ...ROOMY, quotaBytes: 10_000 };
        const slots = (await Promise.all(Array.from({ length: 6 }, () => records.reserveImage(user.id, limits)))).map(expectGranted);
        // Six originals of 3000 bytes each: at most three fit in 10 000.
        const outcomes = await Promise.allSettled(slots.map((slot) => slot.commit(imageRecord(user, { bytes: 3000 }))));
        for (const slot of slots) await slot.release();
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected')
            expect((outcome.reason as { refusal?: QuotaRefusal }).refusal).toEqual({ kind: 'bytes', limit: 10_000 });
        }
        expect((await records.usage([user.id])).get(user.id)).toMatchObject({ images: 3, bytes: 9000 });
        const image = (await records.queryImages(user.id, { first: 1, after: null, orderBy: 'NEWEST', search: null, tag: null })).edges[0]!
          .node;
        const compression = expectGranted(await records.reserveCompression(user.id, image.id, limits));
        await expect(compression.commit(compressionRecord(image, { bytes: 1001 }))).rejects.toMatchObject({
          refusal: { kind: 'bytes', limit: 10_000 },
        });
        const fits = expectGranted(await records.reserveCompression(user.id, image.id, limits));
        expect(await fits.commit(compressionRecord(image, { bytes: 1000 }))).toBe(true);
        expect(await records.reserveImage(user.id, limits)).toEqual({ kind: 'bytes', limit: 10_000 });
      });

      it('acts on the first of commit and release only', async () => {
        const user = await newUser();
        const limits = { ...ROOMY, quotaImages: 1 };
        const committed = expectGranted(await records.reserveImage(user.id, limits));
        const image = imageRecord(user);
        await committed.commit(image);
        await committed.release();
        expect(await records.getImage(user.id, image.id)).toEqual(image);
        expect((await records.usage([user.id])).get(user.id)?.images).toBe(1);
        expect(await records.reserveImage(user.id, limits)).toEqual({ kind: 'images', limit: 1 });

        const other = await newUser();
        const released = expectGranted(await records.reserveImage(other.id, limits));
        await released.release();
        const late = imageRecord(other);
        await released.commit(late).catch(() => undefined);
        expect(await records.getImage(other.id, late.id)).toBeUndefined();
      });
    });

    describe('compression sets', () => {
      it('grants a set only when the whole set fits, and commits it as one unit', async () => {
        const user = await newUser();
        const image = await storeImage(imageRecord(user));
        const limits = { ...ROOMY, quotaCompressionsPerImage: 5 };
        await storeCompression(compressionRecord(image));
        expect(await records.reserveCompressions(user.id, image.id, 5, limits)).toEqual({ kind: 'compressionsPerImage', limit: 5 });
        const set = expectGranted(await records.reserveCompressions(user.id, image.id, 4, limits));
        // The four slots are held: not even one more is granted meanwhile.
        expect(await records.reserveCompression(user.id, image.id, limits)).toEqual({ kind: 'compressionsPerImage', limit: 5 });
        const members = [1, 2, 3, 4].map((index) => compressionRecord(image, { width: index * 100, createdAt: at(200 + index) }));
        expect(await set.commit(members)).toBe(true);
        await set.release();
        const listed = (await records.listCompressions([image.id])).get(image.id)!;
        expect(listed).toHaveLength(5);
        for (const member of members) expect(listed).toContainEqual(member);
        expect((await records.usage([user.id])).get(user.id)).toEqual({ images: 1, files: 6, bytes: 1000 + 5 * 300 });
      });

      it('never grants two sets that together overrun the quota, however many ask at once', async () => {
        const user = await newUser();
        const image = await storeImage(imageRecord(user));
        const limits = { ...ROOMY, quotaCompressionsPerImage: 7 };
        const outcomes = await Promise.all(Array.from({ length: 6 }, () => records.reserveCompressions(user.id, image.id, 3, limits)));
        const granted = outcomes.filter((outcome) => !isRefusal(outcome));
        expect(granted).toHaveLength(2);
        for (const set of granted) if (!isRefusal(set)) await set.release();
        expect(isRefusal(await records.reserveCompressions(user.id, image.id, 7, limits))).toBe(false);
      });

      it('writes none of a set when the image was deleted, or when the set passes the byte quota', async () => {
        const user = await newUser();
        const image = await storeImage(imageRecord(user));
        const gone = expectGranted(await records.reserveCompressions(user.id, image.id, 2, ROOMY));
        await records.removeImage(user.id, image.id);
        expect(await gone.commit([compressionRecord(image), compressionRecord(image)])).toBe(false);

        const other = await newUser();
        const kept = await storeImage(imageRecord(other, { bytes: 1000 }));
        const limits = { ...ROOMY, quotaBytes: 2000 };
        const tooBig = expectGranted(await records.reserveCompressions(other.id, kept.id, 2, limits));
        await expect(
          tooBig.commit([compressionRecord(kept, { bytes: 600 }), compressionRecord(kept, { bytes: 600 })]),
        ).rejects.toMatchObject({ refusal: { kind: 'bytes' } });
        expect((await records.listCompressions([kept.id])).get(kept.id)).toEqual([]);
        // The slots were given back by the failed commit.
        const fits = expectGranted(await records.reserveCompressions(other.id, kept.id, 2, { ...limits, quotaCompressionsPerImage: 2 }));
        expect(await fits.commit([compressionRecord(kept, { bytes: 500 }), compressionRecord(kept, { bytes: 500 })])).toBe(true);
      });
    });

    describe('share links', () => {
      function linkRecord(image: ImageRecord, fields: Partial<ShareLinkRecord> = {}): ShareLinkRecord {
        return {
          id: randomUUID(),
          userId: image.userId,
          imageId: image.id,
          compressionId: null,
          tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
          nonce: 'ab'.repeat(16),
          createdAt: new Date().toISOString(),
          expiresAt: null,
          ...fields,
        };
      }

      it('stores links, lists them newest first to their owner only, and finds each with its file by token hash', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const image = await storeImage(imageRecord(owner));
        const compression = await storeCompression(compressionRecord(image));
        const toOriginal = linkRecord(image, { createdAt: at(10) });
        const toCompression = linkRecord(image, {
          compressionId: compression.id,
          createdAt: at(20),
          expiresAt: '2099-01-01T00:00:00.000Z',
        });
        expect(await records.insertShareLinks(owner.id, [toOriginal, toCompression], 10)).toBe(true);
        expect(await records.listShareLinks(owner.id)).toEqual([toCompression, toOriginal]);
        expect(await records.listShareLinks(stranger.id)).toEqual([]);
        expect(await records.findSharedFile(toOriginal.tokenHash)).toEqual({ link: toOriginal, image, compression: null });
        expect(await records.findSharedFile(toCompression.tokenHash)).toEqual({ link: toCompression, image, compression });
        expect(await records.findSharedFile('0'.repeat(64))).toBeUndefined();
        expect(await records.findSharedFile('not a hash')).toBeUndefined();
        expect(await records.removeShareLink(stranger.id, toOriginal.id)).toBeUndefined();
        expect(await records.removeShareLink(owner.id, toOriginal.id)).toEqual(toOriginal);
        expect(await records.findSharedFile(toOriginal.tokenHash)).toBeUndefined();
        expect(await records.removeShareLink(owner.id, toOriginal.id)).toBeUndefined();
      });

      it("refuses links to another user's files, and past the limit (expired links go and do not count)", async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const image = await storeImage(imageRecord(owner));
        const theirs = await storeImage(imageRecord(stranger));
        const theirCompression = await storeCompression(compressionRecord(theirs));
        expect(await records.insertShareLinks(owner.id, [linkRecord({ ...theirs, userId: owner.id })], 10)).toBe('missing');
        expect(await records.insertShareLinks(owner.id, [linkRecord(image, { compressionId: theirCompression.id })], 10)).toBe('missing');
        const expired = linkRecord(image, { expiresAt: '2020-01-01T00:00:00.000Z' });
        expect(await records.insertShareLinks(owner.id, [linkRecord(image), expired], 2)).toBe(true);
        expect(await records.insertShareLinks(owner.id, [linkRecord(image), linkRecord(image)], 2)).toBe('limit');
        expect(await records.insertShareLinks(owner.id, [linkRecord(image)], 2)).toBe(true);
        const listed = await records.listShareLinks(owner.id);
        expect(listed).toHaveLength(2);
        expect(listed.map((link) => link.id)).not.toContain(expired.id);
      });

      it('never lets concurrent inserts pass the limit', async () => {
        const owner = await newUser();
        const image = await storeImage(imageRecord(owner));
        const outcomes = await Promise.all(Array.from({ length: 8 }, () => records.insertShareLinks(owner.id, [linkRecord(image)], 5)));
        expect(outcomes.filter((outcome) => outcome === true)).toHaveLength(5);
        expect(await records.listShareLinks(owner.id)).toHaveLength(5);
      });

      it('ends the links of a removed compression, a removed image and a deleted user', async () => {
        const owner = await newUser();
        const image = await storeImage(imageRecord(owner));
        const other = await storeImage(imageRecord(owner));
        const compression = await storeCompression(compressionRecord(image));
        const toCompression = linkRecord(image, { compressionId: compression.id });
        const toImage = linkRecord(image);
        const toOther = linkRecord(other);
        expect(await records.insertShareLinks(owner.id, [toCompression, toImage, toOther], 10)).toBe(true);
        await records.removeCompression(owner.id, compression.id);
        expect(await records.findSharedFile(toCompression.tokenHash)).toBeUndefined();
        expect(await records.findSharedFile(toImage.tokenHash)).toBeDefined();
        await records.removeImage(owner.id, image.id);
        expect(await records.findSharedFile(toImage.tokenHash)).toBeUndefined();
        expect((await records.listShareLinks(owner.id)).map((link) => link.id)).toEqual([toOther.id]);
        await records.deleteUser(owner.id);
        expect(await records.findSharedFile(toOther.tokenHash)).toBeUndefined();
        expect(await records.listShareLinks(owner.id)).toEqual([]);
      });
    });

    describe('presets', () => {
      function presetRecord(
        user: UserRecord,
        name: string,
        options: PresetRecord['options'] = { width: 1600, format: 'WEBP' },
      ): PresetRecord {
        return { id: randomUUID(), userId: user.id, name, nameKey: name.toLowerCase(), options, createdAt: at(1), updatedAt: at(1) };
      }

      it('saves, lists by name, replaces by name ignoring case, and removes, per user', async () => {
        const owner = await newUser();
        const stranger = await newUser();
        const web = presetRecord(owner, 'Web 1600 WebP');
        const thumb = presetRecord(owner, 'Thumbnail 400 square AVIF', {
          width: 400,
          height: 400,
          format: 'AVIF',
          targetSsim: 0.95,
          effort: 'SMALLEST',
        });
        expect(await records.savePreset(web, 10)).toEqual(web);
        expect(await records.savePreset(thumb, 10)).toEqual(thumb);
        expect(await records.listPresets(owner.id)).toEqual([thumb, web]);
        expect(await records.listPresets(stranger.id)).toEqual([]);
        const replaced = await records.savePreset({ ...presetRecord(owner, 'WEB 1600 WEBP', { quality: 70 }), updatedAt: at(2) }, 10);
        expect(replaced).toEqual({ ...web, name: 'WEB 1600 WEBP', options: { quality: 70 }, updatedAt: at(2) });
        expect(await records.listPresets(owner.id)).toHaveLength(2);
        expect(await records.removePreset(stranger.id, web.id)).toBeUndefined();
        expect(await records.removePreset(owner.id, web.id)).toEqual(replaced);
        expect(await records.listPresets(owner.id)).toEqual([thumb]);
      });

      it('refuses a new name past the limit but still replaces an existing one; a deleted user takes its presets', async () => {
        const owner = await newUser();
        const first = presetRecord(owner, 'a');
        expect(await records.savePreset(first, 2)).toEqual(first);
        expect(await records.savePreset(presetRecord(owner, 'b'), 2)).not.toBe('limit');
        expect(await records.savePreset(presetRecord(owner, 'c'), 2)).toBe('limit');
        expect(await records.savePreset(presetRecord(owner, 'A', { quality: 10 }), 2)).toMatchObject({
          id: first.id,
          options: { quality: 10 },
        });
        await records.deleteUser(owner.id);
        expect(await records.listPresets(owner.id)).toEqual([]);
      });
    });

    describe('for the sweep and /metrics', () => {
      it('counts users, images, compressions and bytes', async () => {
        const before = await records.counts();
        const user = await newUser();
        const image = await storeImage(imageRecord(user, { bytes: 1000, thumbnailBytes: 90 }));
        const compression = await storeCompression(compressionRecord(image, { bytes: 400 }));
        const after = await records.counts();
        expect(after).toEqual({
          users: before.users + 1,
          images: before.images + 1,
          compressions: before.compressions + 1,
          bytes: {
            originals: before.bytes.originals + 1000,
            thumbnails: before.bytes.thumbnails + 90,
            compressions: before.bytes.compressions + 400,
          },
        });
        await records.removeCompression(user.id, compression.id);
        await records.removeImage(user.id, image.id);
        expect(await records.counts()).toEqual({ ...before, users: before.users + 1 });
      });

      it('walks every image with its files in pages, and removes records whose files are gone', async () => {
        const user = await newUser();
        const images: ImageRecord[] = [];
        // More than one page of any sensible page size.
        const total = 620;
        for (let start = 0; start < total; start += 20) {
          images.push(
            ...(await Promise.all(
              Array.from({ length: 20 }, (_, index) => storeImage(imageRecord(user, { createdAt: at(start + index) }))),
            )),
          );
        }
        const compressions = [
          await storeCompression(compressionRecord(images[0]!)),
          await storeCompression(compressionRecord(images[0]!)),
          await storeCompression(compressionRecord(images[600]!)),
        ];

        const seen = new Map<string, { imageFiles: string[]; compressions: Array<{ id: string; file: string }> }>();
        let pages = 0;
        for await (const page of records.storedFiles()) {
          pages += 1;
          expect(page.length).toBeGreaterThan(0);
          for (const entry of page) {
            if (entry.userId !== user.id) continue;
            expect(seen.has(entry.imageId)).toBe(false);
            seen.set(entry.imageId, {
              imageFiles: entry.imageFiles,
              compressions: entry.compressions.map(({ id, file }) => ({ id, file })),
            });
          }
        }
        expect(pages).toBeGreaterThan(0);
        expect(seen.size).toBe(total);
        for (const image of images) expect(seen.get(image.id)?.imageFiles).toEqual([image.file, image.thumbnailFile, image.displayFile]);
        const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
        expect(seen.get(images[0]!.id)?.compressions.sort(byId)).toEqual(
          compressions
            .slice(0, 2)
            .map(({ id, file }) => ({ id, file }))
            .sort(byId),
        );

        await records.removeRecordsWithoutFiles(
          [{ userId: user.id, imageId: images[1]!.id }],
          [{ userId: user.id, compressionId: compressions[2]!.id }],
        );
        expect(await records.getImage(user.id, images[1]!.id)).toBeUndefined();
        expect(await records.getCompression(user.id, compressions[2]!.id)).toBeUndefined();
        expect((await records.usage([user.id])).get(user.id)).toEqual({
          images: total - 1,
          files: total - 1 + 2,
          bytes: (total - 1) * 1000 + 2 * 300,
        });
      });

      it('reports itself healthy', async () => {
        expect(await records.health()).toMatchObject({ ok: true });
      });
    });

    describe('rate counters', () => {
      it('counts events in a sliding window per key', async () => {
        const key = `test:${randomUUID()}`;
        const other = `test:${randomUUID()}`;
        const windowMs = 1500;
        const started = Date.now();
        expect(await rateCounters.count(key, windowMs)).toEqual({ count: 0, oldestMs: null });
        expect(await rateCounters.add(key, windowMs)).toBe(1);
        expect(await rateCounters.add(key, windowMs)).toBe(2);
        expect(await rateCounters.add(key, windowMs)).toBe(3);
        const counted = await rateCounters.count(key, windowMs);
        expect(counted.count).toBe(3);
        // The backend's clock may be another machine's: allow for a little skew.
        expect(counted.oldestMs).toBeGreaterThan(started - 2000);
        expect(counted.oldestMs).toBeLessThan(Date.now() + 2000);
        expect(await rateCounters.count(other, windowMs)).toEqual({ count: 0, oldestMs: null });

        await sleep(windowMs + 200);
        expect(await rateCounters.count(key, windowMs)).toEqual({ count: 0, oldestMs: null });
        expect(await rateCounters.add(key, windowMs)).toBe(1);
        await rateCounters.clear(key);
        expect(await rateCounters.count(key, windowMs)).toEqual({ count: 0, oldestMs: null });
      });

      it('keeps keys apart whatever characters they hold', async () => {
        const base = `test:${randomUUID()}`;
        const keys = [`${base}\0x`, `${base}\\0x`, `${base}\\\0x`, `${base}x`];
        for (const [index, key] of keys.entries()) for (let times = 0; times <= index; times++) await rateCounters.add(key, 60_000);
        for (const [index, key] of keys.entries()) expect((await rateCounters.count(key, 60_000)).count).toBe(index + 1);
        await rateCounters.clear(keys[0]!);
        expect((await rateCounters.count(keys[0]!, 60_000)).count).toBe(0);
        expect((await rateCounters.count(keys[1]!, 60_000)).count).toBe(2);
      });

      it('counts every one of many concurrent adds', async () => {
        const key = `test:${randomUUID()}`;
        const results = await Promise.all(Array.from({ length: 10 }, () => rateCounters.add(key, 60_000)));
        expect([...results].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect((await rateCounters.count(key, 60_000)).count).toBe(10);
      });
    });
  });
}
