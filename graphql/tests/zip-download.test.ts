// POST /downloads/zip: the selection as one streamed ZIP. Each test unpacks what the server sent
// (Python's zipfile, a reader that is not ours) and compares every file with the stored bytes; the
// hostile ones forge the origin, leave out the session, ask for other users' ids and too many.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { SESSION_COOKIE } from '../shared/http.ts';
import { startTestServer, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;
let scratch: string;

beforeAll(async () => {
  server = await startTestServer({ QUOTA_IMAGES: '200', QUOTA_FILES: '1000' });
  scratch = await mkdtemp(join(tmpdir(), 'pixpress-zip-'));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

function post(token: string | null, fields: Array<[string, string]>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/downloads/zip`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(server.url).origin,
      ...(token ? { cookie: `${SESSION_COOKIE}=${encodeURIComponent(token)}` } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Every entry of the archive: its name and its bytes, in the archive's order. */
async function unzip(data: Buffer): Promise<Array<{ name: string; data: Buffer }>> {
  const file = join(scratch, `${randomUUID()}.zip`);
  await writeFile(file, data);
  const script =
    'import base64, json, sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps([[i.filename, base64.b64encode(z.read(i)).decode()] for i in z.infolist()]))';
  const { stdout } = await promisify(execFile)('python3', ['-c', script, file], { maxBuffer: 256 * 1024 * 1024 });
  return (JSON.parse(stdout) as Array<[string, string]>).map(([name, base64]) => ({ name, data: Buffer.from(base64, 'base64') }));
}

async function stored(key: string): Promise<Buffer> {
  return server.app.services.blobs.read(key);
}

async function originalKey(imageId: string, userId: string): Promise<string> {
  return (await server.app.services.records.getImage(userId, imageId))!.file;
}

async function userIdOf(token: string): Promise<string> {
  return (await server.gql(`{ me { id } }`, {}, token)).data?.me.id;
}

const COMPRESS = `mutation($id: ID!, $options: CompressOptions!) { compressImage(imageId: $id, options: $options) { ... on Compression { id downloadName } } }`;

describe('POST /downloads/zip', () => {
  it('streams the originals with their names and bytes, and leaves out other users’ and unknown ids without a trace', async () => {
    const owner = await server.signUp('zip-owner');
    const other = await server.signUp('zip-other');
    const ownerId = await userIdOf(owner);
    const beach = await uploadImage(server, owner, await makeImage(120, 80), 'beach.jpg', { name: 'beach' });
    const graphic = await uploadImage(server, owner, await makeImage(90, 60, 'png'), 'graphic.png', { name: 'graphic.png' });
    const theirs = await uploadImage(server, other, await makeImage(40, 40), 'secret.jpg', { name: 'secret' });

    const response = await post(owner, [
      ['ids', beach.id],
      ['ids', theirs.id],
      ['ids', graphic.id],
      ['include', 'originals'],
    ]);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="pixpress-\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(response.headers.get('content-length')).toBeNull();
    const entries = await unzip(Buffer.from(await response.arrayBuffer()));
    expect(entries.map((entry) => entry.name)).toEqual(['beach.jpg', 'graphic.png']);
    expect(entries[0]!.data.equals(await stored(await originalKey(beach.id, ownerId)))).toBe(true);
    expect(entries[1]!.data.equals(await stored(await originalKey(graphic.id, ownerId)))).toBe(true);

    // Another user's id and an id that does not exist get the same answer.
    const mineAndTheirs = await post(owner, [
      ['ids', beach.id],
      ['ids', theirs.id],
    ]);
    const mineAndUnknown = await post(owner, [
      ['ids', beach.id],
      ['ids', randomUUID()],
    ]);
    expect(mineAndTheirs.headers.get('x-pixpress-skipped')).toBe('1');
    expect(mineAndUnknown.headers.get('x-pixpress-skipped')).toBe('1');
    expect((await unzip(Buffer.from(await mineAndTheirs.arrayBuffer()))).map((entry) => entry.name)).toEqual(['beach.jpg']);
    await mineAndUnknown.arrayBuffer();
    const onlyTheirs = await post(owner, [['ids', theirs.id]]);
    const onlyUnknown = await post(owner, [['ids', randomUUID()]]);
    expect([onlyTheirs.status, await onlyTheirs.text()]).toEqual([404, 'None of these images was found.\n']);
    expect([onlyUnknown.status, await onlyUnknown.text()]).toEqual([404, 'None of these images was found.\n']);
  });

  it('holds each image’s newest compression under its downloadName, skipping images without one', async () => {
    const owner = await server.signUp('zip-newest');
    const first = await uploadImage(server, owner, await makeImage(200, 100), 'first.jpg', { name: 'first' });
    const bare = await uploadImage(server, owner, await makeImage(50, 50), 'bare.jpg', { name: 'bare' });
    await server.gql(COMPRESS, { id: first.id, options: { format: 'WEBP', width: 100, quality: 50 } }, owner);
    const newest = (await server.gql(COMPRESS, { id: first.id, options: { format: 'AVIF', width: 80, quality: 40 } }, owner)).data
      ?.compressImage;
    const response = await post(owner, [
      ['ids', bare.id],
      ['ids', first.id],
      ['include', 'newest'],
    ]);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-pixpress-skipped')).toBe('1');
    const entries = await unzip(Buffer.from(await response.arrayBuffer()));
    expect(entries.map((entry) => entry.name)).toEqual([newest.downloadName]);
    const record = await server.app.services.records.getCompression(await userIdOf(owner), newest.id);
    expect(entries[0]!.data.equals(await stored(record!.file))).toBe(true);
    const none = await post(owner, [
      ['ids', bare.id],
      ['include', 'newest'],
    ]);
    expect([none.status, await none.text()]).toEqual([404, 'None of these images has a compression.\n']);
  });

  it('makes path tricks and odd characters in image names into plain, distinct file names', async () => {
    const owner = await server.signUp('zip-names');
    const names = ['../../etc/passwd', '..\\..\\boot.ini', 'a/b:c*?"<>|d', '.hidden', 'same', 'SAME', 'same'];
    const ids: string[] = [];
    for (const name of names) ids.push((await uploadImage(server, owner, await makeImage(30, 20), 'x.jpg', { name })).id);
    const response = await post(
      owner,
      ids.map((id) => ['ids', id]),
    );
    const entries = await unzip(Buffer.from(await response.arrayBuffer()));
    expect(entries.map((entry) => entry.name)).toEqual([
      'etc_passwd.jpg',
      'boot.jpg',
      'a_b_c_d.jpg',
      'hidden.jpg',
      'same.jpg',
      'SAME (2).jpg',
      'same (3).jpg',
    ]);
    for (const entry of entries) expect(entry.name).not.toMatch(/[/\\]|^\./);
  });

  it('refuses a post without a session, from another origin, with too many or no ids, or a bad choice', async () => {
    const owner = await server.signUp('zip-refused');
    const image = await uploadImage(server, owner, await makeImage(30, 20), 'x.jpg');
    const cases: Array<[Response, number, string]> = [
      [await post(null, [['ids', image.id]]), 401, 'Sign in to download images.\n'],
      [await post('forged.token.value', [['ids', image.id]]), 401, 'Sign in to download images.\n'],
      [await post(owner, [['ids', image.id]], { origin: 'https://evil.example' }), 403, 'Cross-site form submissions are refused.\n'],
      [await post(owner, [['ids', image.id]], { origin: 'null' }), 403, 'Cross-site form submissions are refused.\n'],
      [
        await post(owner, [['ids', image.id], ...Array.from({ length: 100 }, (): [string, string] => ['ids', randomUUID()])]),
        400,
        'At most 100 images at once.\n',
      ],
      [await post(owner, []), 400, 'Choose at least one image.\n'],
      [
        await post(owner, [
          ['ids', image.id],
          ['include', 'everything'],
        ]),
        400,
        'Choose originals or the newest compressions.\n',
      ],
    ];
    for (const [response, status, text] of cases) expect([response.status, await response.text()]).toEqual([status, text]);
    const get = await fetch(`${server.url}/downloads/zip?ids=${image.id}`, { headers: { cookie: `${SESSION_COOKIE}=${owner}` } });
    expect(get.status).toBe(405);
  });

  it('stops reading files when the client goes away mid-download', async () => {
    const owner = await server.signUp('zip-abort');
    const ids: string[] = [];
    for (let index = 0; index < 4; index++)
      ids.push((await uploadImage(server, owner, await makeImage(1600, 1600, 'png'), `big${index}.png`)).id);
    const { blobs } = server.app.services;
    const opened: Readable[] = [];
    const open = blobs.open.bind(blobs);
    // Watches what the route opens; every call still goes to the real store.
    blobs.open = async (key) => {
      const blob = await open(key);
      if (blob) opened.push(blob.stream);
      return blob;
    };
    try {
      const body = new URLSearchParams(ids.map((id) => ['ids', id])).toString();
      await new Promise<void>((resolve, reject) => {
        const req = request(`${server.url}/downloads/zip`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            origin: new URL(server.url).origin,
            cookie: `${SESSION_COOKIE}=${encodeURIComponent(owner)}`,
          },
        });
        req.on('response', (res) => {
          expect(res.statusCode).toBe(200);
          // Take the first chunk, then hang up without reading on.
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', reject);
        req.end(body);
      });
      await expect
        .poll(() => opened.length > 0 && opened.every((stream) => stream.destroyed || stream.readableEnded), { timeout: 5000 })
        .toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(opened.length).toBeLessThan(ids.length);
    } finally {
      blobs.open = open;
    }
  });
});
