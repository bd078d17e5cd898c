// Image.urlExpiresAt tells clients when to ask for fresh links: never later than the links of the
// same response stop working, and close to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeImage } from './compression-helpers.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';

describe('urlExpiresAt', () => {
  let server: TestServer;
  let token: string;
  let imageId: string;
  beforeAll(async () => {
    server = await startTestServer({ URL_TTL_SECONDS: '300' });
    token = await server.signUp();
    imageId = await storeImage(server, token, await makeImage(64, 48));
  }, 60_000);
  afterAll(() => server?.close());

  it('is no later than the expiry of the URLs it came with, and within a minute of the TTL', async () => {
    const before = Date.now();
    const response = await server.gql<{ image: { url: string; thumbnailUrl: string; urlExpiresAt: string } }>(
      'query($id: ID!) { image(id: $id) { url thumbnailUrl urlExpiresAt } }',
      { id: imageId },
      token,
    );
    const image = response.data!.image;
    const expiresAt = Date.parse(image.urlExpiresAt);
    for (const url of [image.url, image.thumbnailUrl]) {
      const parsed = new URL(url, server.url);
      // The app's own signed URL (exp) or a presigned bucket URL (X-Amz-Date + X-Amz-Expires).
      const exp = parsed.searchParams.get('exp');
      const linkExpiry = exp
        ? Number(exp) * 1000
        : Date.parse(
            parsed.searchParams.get('X-Amz-Date')!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
          ) +
          Number(parsed.searchParams.get('X-Amz-Expires')) * 1000;
      expect(expiresAt).toBeLessThanOrEqual(linkExpiry);
    }
    expect(expiresAt).toBeGreaterThan(before + 240_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
  });
});
