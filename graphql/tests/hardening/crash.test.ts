// The real server as a child process, killed with SIGKILL in the middle of uploads, compressions
// and deletes, again and again, and restarted over the same data folder. After every restart the
// database parses, everything listed is served through its signed URL with the recorded size,
// the usage agrees with the records and the files, and the start-up sweep has left no orphan.
// Then SIGTERM with requests in flight: they finish, the process exits 0 and the database has them.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../scripts/bad-corpus.ts';
import { makeImage, type FixtureFormat } from '../../../testkit/fixtures.ts';
import { CSRF } from '../harness.ts';
import { startChildServer, type ChildServer } from '../../../testkit/child-server.ts';
import { filesOnDisk, unexpectedFiles } from './helpers.ts';
import type { DatabaseShape } from '../../store/embedded/document.ts';

const ROUNDS = 12;
const WORKERS = 6;
const SEED = 4242;
const ENV = {
  QUOTA_IMAGES: '100000',
  QUOTA_FILES: '1000000',
  QUOTA_COMPRESSIONS_PER_IMAGE: '100000',
  BCRYPT_COST: '10',
  IMAGE_QUEUE_SIZE: '1000',
  IMAGE_JOBS_WAITING_PER_USER: '1000',
};
/** lowdb's own temp file (steno writes it beside db.json and renames it): harmless, rewritten by the next write. */
const LOWDB_TEMP = '.db.json.tmp';

const UPLOAD = `mutation($file: Upload!) { uploadImage(file: $file) { __typename ... on Image { id } ... on Error { code message } } }`;
const COMPRESS = `mutation($imageId: ID!, $options: CompressOptions!) {
  compressImage(imageId: $imageId, options: $options) { __typename ... on Compression { id } ... on Error { code message } }
}`;
const DELETE_IMAGE = `mutation($id: ID!) { deleteImage(id: $id) { __typename } }`;
const DELETE_COMPRESSION = `mutation($id: ID!) { deleteCompression(id: $id) { __typename } }`;
const LISTING = `query($after: String) {
  me { usage { images files bytes } }
  images(first: 20, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id bytes url thumbnailUrl compressions { id bytes url } } }
  }
}`;

let dataDir: string;
let token: string;
const running = new Set<ChildServer>();
let photos: Array<{ data: Buffer; name: string }>;
const random = seededRandom(SEED);
const figures = {
  kills: 0,
  killsDuringUploads: 0,
  killsDuringCompressions: 0,
  killsDuringDeletes: 0,
  corruptDatabases: 0,
  failedStarts: 0,
  orphansSwept: 0,
  tempFilesSwept: 0,
  checkedFiles: 0,
  writesStarted: 0,
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pixpress-crash-'));
  photos = [];
  const formats: FixtureFormat[] = ['jpeg', 'png', 'webp', 'jpeg', 'gif'];
  for (const [index, format] of formats.entries())
    photos.push({ data: await makeImage(480 + index * 40, 360, format), name: `photo${index}.${format}` });
});

afterAll(async () => {
  // A failed expectation mid-round leaves the child running: never leave it behind.
  await Promise.all([...running].map((server) => server.kill('SIGKILL')));
  console.info(
    `[hardening] crash: ${figures.kills} SIGKILLs survived (${figures.killsDuringUploads} with uploads in flight, ${figures.killsDuringCompressions} with compressions, ${figures.killsDuringDeletes} with deletes), ` +
      `${figures.writesStarted} writes started, ${figures.corruptDatabases} corrupt databases, ${figures.failedStarts} failed restarts, ` +
      `sweep removed ${figures.orphansSwept} orphan files and ${figures.tempFilesSwept} temp files, ${figures.checkedFiles} file URLs checked`,
  );
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function gql(server: ChildServer, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Record<string, any>;
}

async function upload(server: ChildServer, photo: { data: Buffer; name: string }): Promise<Record<string, any>> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([new Uint8Array(photo.data)]), photo.name);
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { ...CSRF, authorization: `Bearer ${token}` },
    body: form,
  });
  return (await response.json()) as Record<string, any>;
}

interface Listed {
  images: Array<{
    id: string;
    bytes: number;
    url: string;
    thumbnailUrl: string;
    compressions: Array<{ id: string; bytes: number; url: string }>;
  }>;
  usage: { images: number; files: number; bytes: number };
}

async function listEverything(server: ChildServer): Promise<Listed> {
  const images: Listed['images'] = [];
  let after: string | null = null;
  let usage: Listed['usage'] | undefined;
  for (;;) {
    const result = await gql(server, LISTING, { after });
    expect(result.errors).toBeUndefined();
    usage = result.data.me.usage;
    images.push(...result.data.images.edges.map((edge: { node: Listed['images'][number] }) => edge.node));
    if (!result.data.images.pageInfo.hasNextPage) break;
    after = result.data.images.pageInfo.endCursor;
  }
  return { images, usage: usage! };
}

/** Everything the invariants say about a data folder a server has just started on. */
async function checkConsistent(server: ChildServer): Promise<Listed> {
  const listed = await listEverything(server);
  const compressions = listed.images.flatMap((image) => image.compressions);
  expect(listed.usage).toEqual({
    images: listed.images.length,
    files: listed.images.length + compressions.length,
    bytes:
      listed.images.reduce((sum, image) => sum + image.bytes, 0) + compressions.reduce((sum, compression) => sum + compression.bytes, 0),
  });
  const urls: Array<[string, number | null]> = [
    ...listed.images.flatMap(
      (image): Array<[string, number | null]> => [
        [image.url, image.bytes],
        [image.thumbnailUrl, null],
      ],
    ),
    ...compressions.map((compression): [string, number] => [compression.url, compression.bytes]),
  ];
  for (const [url, bytes] of urls) {
    const response = await fetch(`${server.url}${url}`);
    const body = await response.arrayBuffer();
    expect(response.status, url).toBe(200);
    if (bytes !== null) expect(body.byteLength, url).toBe(bytes);
    else expect(body.byteLength).toBeGreaterThan(0);
    figures.checkedFiles++;
  }
  const db = JSON.parse(readFileSync(join(dataDir, 'db.json'), 'utf8')) as DatabaseShape;
  const { orphans, missing } = await unexpectedFiles(dataDir, db);
  expect(missing).toEqual([]);
  expect(orphans.filter((path) => path !== LOWDB_TEMP)).toEqual([]);
  expect((await filesOnDisk(dataDir)).filter((path) => path.startsWith('.tmp/'))).toEqual([]);
  // The sizes recorded are the sizes on disk.
  for (const images of Object.values(db.images)) {
    for (const image of Object.values(images)) expect((await stat(join(dataDir, image.file))).size).toBe(image.bytes);
  }
  for (const compressionsOfImage of Object.values(db.compressions)) {
    for (const compression of Object.values(compressionsOfImage))
      expect((await stat(join(dataDir, compression.file))).size).toBe(compression.bytes);
  }
  return listed;
}

/** Starts the server, counting a database that does not parse (or a start that fails) as corrupt. */
async function restart(): Promise<ChildServer> {
  const dbPath = join(dataDir, 'db.json');
  if (existsSync(dbPath)) {
    try {
      JSON.parse(readFileSync(dbPath, 'utf8'));
    } catch {
      figures.corruptDatabases++;
    }
  }
  try {
    const server = await startChildServer(dataDir, ENV);
    running.add(server);
    void server.exited.then(() => running.delete(server));
    const sweep = server.logs.find((entry) => entry.msg === 'start-up sweep repaired the data folder')?.sweep as
      | { scratchFilesRemoved: number; orphanFilesRemoved: string[]; imagesWithoutFiles: string[]; compressionsWithoutFiles: string[] }
      | undefined;
    if (sweep) {
      figures.orphansSwept += sweep.orphanFilesRemoved.length;
      figures.tempFilesSwept += sweep.scratchFilesRemoved;
      // Files are written before records and records removed before files: never a record without its file.
      expect(sweep.imagesWithoutFiles).toEqual([]);
      expect(sweep.compressionsWithoutFiles).toEqual([]);
    }
    return server;
  } catch (error) {
    figures.failedStarts++;
    throw error;
  }
}

/** Uploads, compressions and deletes from several workers until the process dies under them. */
function storm(
  server: ChildServer,
  listed: Listed,
): { inFlight: Record<'upload' | 'compress' | 'delete', number>; deleteBurst: () => void; done: Promise<void> } {
  const imageIds = listed.images.map((image) => image.id);
  const compressionIds = listed.images.flatMap((image) => image.compressions.map((compression) => compression.id));
  const inFlight = { upload: 0, compress: 0, delete: 0 };
  let dead = false;
  const formats = ['WEBP', 'AVIF', 'JPEG', 'PNG'];
  const track = async <T>(kind: keyof typeof inFlight, work: () => Promise<T>): Promise<T | undefined> => {
    inFlight[kind]++;
    figures.writesStarted++;
    try {
      return await work();
    } catch {
      dead = true;
      return undefined;
    } finally {
      inFlight[kind]--;
    }
  };
  const worker = async () => {
    while (!dead) {
      const roll = random();
      if (roll < 0.4 || imageIds.length < 3) {
        const result = await track('upload', () => upload(server, photos[Math.floor(random() * photos.length)]!));
        const id = result?.data?.uploadImage?.id;
        if (id) imageIds.push(id);
      } else if (roll < 0.75) {
        const imageId = imageIds[Math.floor(random() * imageIds.length)]!;
        const options = {
          width: 200 + Math.floor(random() * 200),
          quality: 40 + Math.floor(random() * 50),
          format: formats[Math.floor(random() * formats.length)],
        };
        const result = await track('compress', () => gql(server, COMPRESS, { imageId, options }));
        const id = result?.data?.compressImage?.id;
        if (id) compressionIds.push(id);
      } else if (roll < 0.9) {
        const [id] = imageIds.splice(Math.floor(random() * imageIds.length), 1);
        await track('delete', () => gql(server, DELETE_IMAGE, { id }));
      } else if (compressionIds.length > 0) {
        const [id] = compressionIds.splice(Math.floor(random() * compressionIds.length), 1);
        await track('delete', () => gql(server, DELETE_COMPRESSION, { id }));
      }
    }
  };
  /** A few deletes at once, to kill the process in the middle of them (a lone delete is quick). */
  const deleteBurst = () => {
    for (let index = 0; index < 4 && imageIds.length > 3; index++) {
      const [id] = imageIds.splice(Math.floor(random() * imageIds.length), 1);
      void track('delete', () => gql(server, DELETE_IMAGE, { id }));
    }
    for (let index = 0; index < 2 && compressionIds.length > 0; index++) {
      const [id] = compressionIds.splice(Math.floor(random() * compressionIds.length), 1);
      void track('delete', () => gql(server, DELETE_COMPRESSION, { id }));
    }
  };
  return { inFlight, deleteBurst, done: Promise.all(Array.from({ length: WORKERS }, worker)).then(() => undefined) };
}

describe('SIGKILL in the middle of writes, again and again', () => {
  it(`survives ${ROUNDS} kills: the database parses, everything listed is served, usage agrees, no orphans`, async () => {
    let server = await restart();
    const signUp = await gql(
      server,
      `mutation { signUp(username: "crashy", password: "correct horse battery") { ... on AuthPayload { token } } }`,
    );
    token = signUp.data.signUp.token;
    for (let round = 0; round < ROUNDS; round++) {
      const listed = await checkConsistent(server);
      const writes = storm(server, listed);
      // Let the writes get going, then kill at a moment that differs every round.
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(random() * 600)));
      if (round % 2 === 1) {
        writes.deleteBurst();
        await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(random() * 4)));
      }
      const { upload: uploads, compress, delete: deletes } = writes.inFlight;
      expect(await server.kill('SIGKILL')).toBe('SIGKILL');
      figures.kills++;
      if (uploads > 0) figures.killsDuringUploads++;
      if (compress > 0) figures.killsDuringCompressions++;
      if (deletes > 0) figures.killsDuringDeletes++;
      await writes.done;
      server = await restart();
    }
    const final = await checkConsistent(server);
    expect(final.images.length).toBeGreaterThan(0);
    await server.kill('SIGKILL');
    expect(figures.corruptDatabases).toBe(0);
    expect(figures.killsDuringCompressions).toBeGreaterThan(ROUNDS / 2);
    expect(figures.killsDuringUploads).toBeGreaterThan(ROUNDS / 2);
    expect(figures.killsDuringDeletes).toBeGreaterThan(0);
  }, 240_000);
});

/**
 * A POST whose headers and first half of the body are sent now and the rest on `finish()`: a
 * request the server is certainly in the middle of when the signal arrives.
 */
function halfSent(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
): { finish(): void; written: Promise<void>; response: Promise<Record<string, any>> } {
  const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } });
  const response = new Promise<Record<string, any>>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const half = body.length >> 1;
  const written = new Promise<void>((resolve) => req.write(body.subarray(0, half), () => resolve()));
  return { finish: () => req.end(body.subarray(half)), written, response };
}

describe('SIGTERM', () => {
  it('finishes the requests in flight, flushes the database and exits 0', async () => {
    let server = await restart();
    if (!token) {
      // Run on its own (vitest -t SIGTERM): a user and an image to compress.
      const signUp = await gql(
        server,
        `mutation { signUp(username: "terminated", password: "correct horse battery") { ... on AuthPayload { token } } }`,
      );
      token = signUp.data.signUp.token;
      await upload(server, photos[0]!);
    }
    const before = await checkConsistent(server);
    const target = before.images[0]!.id;
    const auth = { authorization: `Bearer ${token}` };
    const requests = [];
    for (const photo of photos) {
      const form = new FormData();
      form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', new Blob([new Uint8Array(photo.data)]), photo.name);
      const encoded = new Response(form);
      const body = Buffer.from(await encoded.arrayBuffer());
      requests.push(halfSent(`${server.url}/graphql`, { ...CSRF, ...auth, 'content-type': encoded.headers.get('content-type')! }, body));
    }
    for (const format of ['AVIF', 'WEBP', 'JPEG']) {
      const body = Buffer.from(JSON.stringify({ query: COMPRESS, variables: { imageId: target, options: { format, quality: 70 } } }));
      requests.push(halfSent(`${server.url}/graphql`, { ...auth, 'content-type': 'application/json' }, body));
    }
    // Every request has been received up to its middle (the server is reading its body): the
    // halves are on the wire, and the server has since answered on newer connections.
    await Promise.all(requests.map((pending) => pending.written));
    for (let probe = 0; probe < 3; probe++) expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const code = server.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pending of requests) pending.finish();
    const results = await Promise.all(requests.map((pending) => pending.response));
    const answers = results.map((result) => result.data?.uploadImage ?? result.data?.compressImage);
    expect(answers.map((answer) => answer?.__typename)).toEqual([
      ...photos.map(() => 'Image'),
      'Compression',
      'Compression',
      'Compression',
    ]);
    expect(await code).toBe(0);
    const stopped = server.logs.find((entry) => entry.msg === 'stopped');
    expect(stopped).toMatchObject({ forced: false, inFlightAtStart: requests.length });
    // Flushed: the database on disk has every one of them.
    const db = JSON.parse(readFileSync(join(dataDir, 'db.json'), 'utf8')) as DatabaseShape;
    const ids = new Set([
      ...Object.values(db.images).flatMap((images) => Object.keys(images)),
      ...Object.values(db.compressions).flatMap((compressions) => Object.keys(compressions)),
    ]);
    for (const answer of answers) expect(ids.has(answer.id)).toBe(true);
    server = await restart();
    const after = await checkConsistent(server);
    expect(after.images.length).toBe(before.images.length + photos.length);
    await server.kill('SIGKILL');
  }, 120_000);
});
