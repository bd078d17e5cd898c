// HEAD on /files/ and /s/ answers the same headers as GET, without the body; with a bucket, without
// asking the bucket for the body either. The bucket is reached through a loopback proxy that
// counts the requests passing through it, so what is asked of the real bucket is seen, not assumed.
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { TEST_BACKEND, TEST_S3_ENDPOINT } from './backends.ts';
import { startTestServer, uploadImage, type TestServer } from './harness.ts';

/** Forwards every request to the bucket, noting its method and path. */
interface BucketProxy {
  url: string;
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

async function startBucketProxy(target: string): Promise<BucketProxy> {
  const { hostname, port } = new URL(target);
  const requests: BucketProxy['requests'] = [];
  const server: Server = createServer((incoming, outgoing) => {
    requests.push({ method: incoming.method ?? '', path: incoming.url ?? '' });
    const forwarded = request({ hostname, port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const HEADERS = ['content-type', 'content-length', 'cache-control', 'content-disposition', 'last-modified', 'x-content-type-options'];

function headersOf(response: Response): Record<string, string | null> {
  return Object.fromEntries(HEADERS.map((name) => [name, response.headers.get(name)]));
}

let proxy: BucketProxy | null = null;
let server: TestServer;
let token: string;
let photo: Buffer;
let image: Record<string, any>;

beforeAll(async () => {
  proxy = TEST_BACKEND === 'postgres-s3' ? await startBucketProxy(TEST_S3_ENDPOINT!) : null;
  server = await startTestServer(proxy ? { S3_ENDPOINT: proxy.url } : {});
  token = await server.signUp();
  photo = await makeImage(200, 120, 'jpeg');
  image = await uploadImage(server, token, photo, 'head.jpg', { name: 'Harbour at dusk' });
});
afterAll(async () => {
  await server?.close();
  await proxy?.close();
});

/** The bucket's reads of the image's objects made while `work` ran. */
async function objectReadsDuring(work: () => Promise<void>): Promise<string[]> {
  const before = proxy?.requests.length ?? 0;
  await work();
  return (proxy?.requests.slice(before) ?? [])
    .filter((seen) => seen.method === 'GET' && seen.path.includes(image.id))
    .map((seen) => seen.path);
}

async function expectHeadLikeGet(url: string): Promise<void> {
  let head: Response | undefined;
  const readsForHead = await objectReadsDuring(async () => {
    head = await fetch(url, { method: 'HEAD' });
  });
  let get: Response | undefined;
  let body: Buffer | undefined;
  const readsForGet = await objectReadsDuring(async () => {
    get = await fetch(url);
    body = Buffer.from(await get.arrayBuffer());
  });
  expect(head!.status).toBe(200);
  expect(get!.status).toBe(200);
  expect(body!.equals(photo)).toBe(true);
  expect(headersOf(head!)).toEqual(headersOf(get!));
  expect(Number(head!.headers.get('content-length'))).toBe(photo.length);
  expect((await head!.arrayBuffer()).byteLength).toBe(0);
  if (proxy) {
    // The proxy does see the bucket's traffic: GET reads the object once, HEAD never.
    expect(readsForGet).toHaveLength(1);
    expect(readsForHead).toEqual([]);
  }
}

describe('HEAD', () => {
  it('on a signed /files/ URL: the headers of GET, and the bucket never sends the body', async () => {
    await expectHeadLikeGet(`${server.url}${image.url}`);
  });

  it('on a share link: the headers of GET (name and cache included), and the bucket never sends the body', async () => {
    const created = await server.gql(
      `mutation($id: ID) { createShareLink(imageId: $id) { ... on ShareLink { url } } }`,
      { id: image.id },
      token,
    );
    const url: string = created.data?.createShareLink.url;
    expect(url).toBeTruthy();
    await expectHeadLikeGet(url);
  });

  it('answers 404 for a file that is gone, as GET does', async () => {
    const url = `${server.url}${image.url}`;
    const deleted = await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id: image.id }, token);
    expect(deleted.data?.deleteImage.__typename).toBe('Deleted');
    const head = await fetch(url, { method: 'HEAD' });
    const get = await fetch(url);
    expect(head.status).toBe(404);
    expect(get.status).toBe(404);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
  });
});
