import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUrlSigner } from '../http/signed-urls.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, uploadImage, type TestServer } from './harness.ts';

let server: TestServer;
let image: Record<string, any>;
let photo: Buffer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ URL_TTL_SECONDS: '300' });
  token = await server.signUp('viewer');
  photo = await makeImage(320, 240, 'png');
  image = await uploadImage(server, token, photo, 'a.png');
});
afterAll(() => server.close());

describe('signed file URLs', () => {
  it('serve the file with its type, nosniff, a sandboxing CSP and a cache lifetime within the URL lifetime', async () => {
    // A URL signed now, so that a slow machine's delay since the upload does not shorten it.
    const fresh = await server.gql(`query($id: ID!) { image(id: $id) { url } }`, { id: image.id }, token);
    image = { ...image, url: fresh.data?.image.url };
    expect(image.url).toMatch(/^\/files\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.png\?exp=\d+&sig=[\w-]{43}$/);
    const fetchedAt = Date.now();
    const response = await fetch(`${server.url}${image.url}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    const expires = Number(new URL(image.url, server.url).searchParams.get('exp'));
    const maxAge = Number(/^private, max-age=(\d+)$/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    // The server reads its clock after fetchedAt, so the time it says is left is at most this.
    const secondsLeftAtFetch = expires - Math.floor(fetchedAt / 1000);
    expect(maxAge).toBeGreaterThan(200);
    expect(maxAge).toBeLessThanOrEqual(secondsLeftAtFetch);
    expect(secondsLeftAtFetch).toBeLessThanOrEqual(300);
    expect(Buffer.from(await response.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('answer HEAD with the headers and no body', async () => {
    const response = await fetch(`${server.url}${image.url}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(photo.length);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuse an altered signature, path or expiry with 403', async () => {
    const url = new URL(image.url, server.url);
    const signature = url.searchParams.get('sig')!;
    const altered = [
      image.url.replace(signature, signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A')),
      image.url.replace(/exp=(\d+)/, (_: string, exp: string) => `exp=${Number(exp) + 60}`),
      image.url.replace('.png', '.jpg'),
      image.url.replace(
        image.id,
        image.id.replace(/^./, (c: string) => (c === 'a' ? 'b' : 'a')),
      ),
      image.url.split('?')[0],
      image.url.replace('/files/', '/files/..%2F'),
      image.url.replace('/files/', '/files/%2E%2E%2F'),
      image.thumbnailUrl.replace(/sig=[^&]+/, `sig=${signature}`),
    ];
    for (const path of altered) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(403);
    }
  });

  it('accept the signature only in its canonical form (no other last character, padding, +/ or trailing junk)', async () => {
    const signer = createUrlSigner(new Uint8Array(32).fill(7), 600);
    const issued = new URL(signer.sign('u/x.png'), 'http://x');
    const exp = issued.searchParams.get('exp')!;
    const sig = issued.searchParams.get('sig')!;
    expect(signer.verify('u/x.png', exp, sig)).toBe('ok');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 43 characters carry 258 bits for 256: the last character's two low bits are not part of
    // the MAC, so three other characters decode to the same bytes.
    const last = alphabet.indexOf(sig.at(-1)!);
    const sameBytes = [1, 2, 3].map((bits) => sig.slice(0, -1) + alphabet[(last & ~3) | ((last + bits) & 3)]);
    const forms = [
      ...sameBytes,
      `${sig}=`,
      `${sig}==`,
      sig.replaceAll('-', '+').replaceAll('_', '/'),
      `${sig}A`,
      `${sig}!!`,
      ` ${sig}`,
      `${sig}\n`,
    ].filter((form) => form !== sig);
    expect(forms.length).toBeGreaterThanOrEqual(9);
    for (const form of forms) expect(signer.verify('u/x.png', exp, form), JSON.stringify(form)).toBe('invalid');
  });

  it('refuse an expired URL with 403', async () => {
    const signer = createUrlSigner(new Uint8Array(32), 60);
    const issued = signer.sign('u/x.png', Date.now() - 120_000);
    const url = new URL(issued, 'http://x');
    expect(signer.verify('u/x.png', url.searchParams.get('exp'), url.searchParams.get('sig'))).toBe('expired');
    expect(signer.verify('u/x.png', url.searchParams.get('exp'), url.searchParams.get('sig'), Date.now() - 119_000)).toBe('ok');
  });

  it('answer 404 once the file is gone', async () => {
    const token = await server.signUp('goner');
    const gone = await uploadImage(server, token, photo, 'b.png');
    await server.gql(`mutation($id: ID!) { deleteImage(id: $id) { __typename } }`, { id: gone.id }, token);
    expect((await fetch(`${server.url}${gone.url}`)).status).toBe(404);
    expect((await fetch(`${server.url}${gone.thumbnailUrl}`)).status).toBe(404);
  });

  it('stop working when they expire (a server whose URLs live 10 seconds)', async () => {
    const shortLived = await startTestServer({ URL_TTL_SECONDS: '10' });
    try {
      const token = await shortLived.signUp('short');
      const uploaded = await uploadImage(shortLived, token, photo, 'c.png');
      const expires = Number(new URL(uploaded.url, shortLived.url).searchParams.get('exp'));
      expect(expires - Date.now() / 1000).toBeLessThanOrEqual(10);
      expect((await fetch(`${shortLived.url}${uploaded.url}`)).status).toBe(200);
    } finally {
      await shortLived.close();
    }
  });
});
