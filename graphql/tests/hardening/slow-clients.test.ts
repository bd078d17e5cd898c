// Clients that go away mid-upload or never finish their request: nothing is left on disk, the
// quota slots they held come back, and everyone else is still served meanwhile.
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../../testkit/fixtures.ts';
import { CSRF, scratchFiles, startTestServer, storageProblems, UPLOAD_IMAGE, type TestServer } from '../harness.ts';

const QUOTA_IMAGES = 3;
let server: TestServer;
let photo: Buffer;

beforeAll(async () => {
  server = await startTestServer({ QUOTA_IMAGES: String(QUOTA_IMAGES), QUOTA_FILES: '100' });
  photo = await makeImage(1200, 900, 'png');
});

afterAll(async () => {
  await server?.close();
});

async function multipartBody(token: string): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: UPLOAD_IMAGE, variables: { file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([new Uint8Array(photo)]), 'slow.png');
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  return {
    headers: {
      ...CSRF,
      authorization: `Bearer ${token}`,
      'content-type': encoded.headers.get('content-type')!,
      'content-length': String(body.length),
    },
    body,
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}

describe('clients that give up or dawdle', () => {
  it('leaves no temp file and hands back every quota slot when 30 uploads are cut off mid-body', async () => {
    const token = await server.signUp();
    const { headers, body } = await multipartBody(token);
    await Promise.all(
      Array.from(
        { length: 30 },
        (_, index) =>
          new Promise<void>((resolve) => {
            const req = request(`${server.url}/graphql`, { method: 'POST', headers });
            req.on('error', () => resolve());
            req.on('close', () => resolve());
            // Cut at a different point each time: inside the fields, inside the file, near its end.
            req.write(body.subarray(0, Math.floor((body.length * (index + 1)) / 32)), () => setTimeout(() => req.destroy(), 30));
          }),
      ),
    );
    // The server notices each disconnect and cleans up after it: scratch files go, held slots
    // return (each request gives its slot back right after removing its scratch file).
    const clean = await until(async () => (await scratchFiles(server)).length === 0);
    expect(clean).toBe(true);
    // Every slot is back once the whole quota can be held again (and is let go at once).
    const userId = (await server.gql('{ me { id } }', {}, token)).data?.me.id as string;
    const { records, config } = server.app.services;
    const returned = await until(async () => {
      const held = await Promise.all(Array.from({ length: QUOTA_IMAGES }, () => records.reserveImage(userId, config)));
      await Promise.all(held.map((slot) => ('release' in slot ? slot.release() : undefined)));
      return held.every((slot) => 'release' in slot);
    });
    expect(returned).toBe(true);
    // Every slot came back: the whole quota can still be used, and no more.
    const results = [];
    for (let index = 0; index <= QUOTA_IMAGES; index++) {
      const result = await server.multipart(UPLOAD_IMAGE, { file: null }, { file: { data: photo, filename: `ok${index}.png` } }, token);
      results.push(result.data?.uploadImage.__typename);
    }
    expect(results).toEqual([...Array.from({ length: QUOTA_IMAGES }, () => 'Image'), 'QuotaExceededError']);
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });

  it('keeps serving others while 100 connections trickle their headers and 10 uploads trickle their bodies', async () => {
    const token = await server.signUp();
    const sockets: Socket[] = [];
    const { headers, body } = await multipartBody(await server.signUp());
    const port = Number(new URL(server.url).port);
    for (let index = 0; index < 100; index++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
      sockets.push(socket);
    }
    const slowUploads = Array.from({ length: 10 }, () => {
      const req = request(`${server.url}/graphql`, { method: 'POST', headers });
      req.on('error', () => {});
      req.write(body.subarray(0, 200_000));
      return req;
    });
    const trickle = setInterval(() => {
      for (const socket of sockets) socket.write('X-Slow: 1\r\n');
    }, 200);
    try {
      // Others are served in the meantime: reads, a sign-up and an upload.
      for (let round = 0; round < 10; round++) {
        const me = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { usage { images } } }' }),
          signal: AbortSignal.timeout(10_000),
        });
        expect(me.status).toBe(200);
      }
      const upload = await server.multipart(UPLOAD_IMAGE, { file: null }, { file: { data: photo, filename: 'meanwhile.png' } }, token);
      expect(upload.data?.uploadImage.__typename).toBe('Image');
      expect((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    } finally {
      clearInterval(trickle);
      for (const socket of sockets) socket.destroy();
      for (const req of slowUploads) req.destroy();
    }
    const clean = await until(async () => (await scratchFiles(server)).length === 0);
    expect(clean).toBe(true);
  });
});
