// A preview's ticket lets compressImage store the previewed result without a second search; a
// forged, altered, expired or misapplied ticket is ignored (the search runs as without one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveKey } from '../auth/tokens.ts';
import { validateCompressOptions } from '../imaging/compress-options.ts';
import { createPreviewTickets, PREVIEW_TICKET_TTL_SECONDS } from '../imaging/preview-ticket.ts';
import { storeImage } from './compression-helpers.ts';
import { makeImage } from '../../testkit/fixtures.ts';
import { startTestServer, type TestServer } from './harness.ts';

const PREVIEW = `query($imageId: ID!, $options: CompressOptions!) {
  previewCompression(imageId: $imageId, options: $options) { __typename ... on CompressedFile { format quality bytes ssim ticket } ... on Error { code message } }
}`;
const STORE = `mutation($imageId: ID!, $options: CompressOptions!, $ticket: String) {
  compressImage(imageId: $imageId, options: $options, ticket: $ticket) { __typename ... on Compression { format quality bytes ssim } ... on Error { code message } }
}`;

const TARGET = { format: 'WEBP', targetSsim: 0.97, width: 900 };

describe('preview tickets', () => {
  let server: TestServer;
  let token: string;
  let userId: string;
  let imageId: string;
  let previewed: { format: string; quality: number; bytes: number; ssim: number; ticket: string };

  const store = async (options: Record<string, unknown>, ticket: string | null, as = token) => {
    const response = await server.gql(STORE, { imageId, options, ticket }, as);
    return response.data?.compressImage ?? response.errors;
  };
  /** A ticket signed with the server's own key, as only the server could make it. */
  const forge = (choice: { format: 'WEBP' | 'JPEG'; quality: number }, options: Record<string, unknown>, nowMs = Date.now()) =>
    server.app.services.records
      .getImage(userId, imageId)
      .then((image) =>
        createPreviewTickets(deriveKey(server.config.secret, 'preview-ticket')).issue(
          { userId, imageId, imageFile: image!.file, plan: validateCompressOptions(options) },
          { ...choice, effort: 'BALANCED' },
          nowMs,
        ),
      );

  beforeAll(async () => {
    server = await startTestServer({ QUOTA_COMPRESSIONS_PER_IMAGE: '20' });
    token = await server.signUp();
    userId = (await server.gql<{ me: { id: string } }>('{ me { id } }', {}, token)).data!.me.id;
    imageId = await storeImage(server, token, await makeImage(1200, 800));
    previewed = (await server.gql(PREVIEW, { imageId, options: TARGET }, token)).data!.previewCompression;
    expect(previewed.ticket).toMatch(/^[\w-]+\.[\w-]+$/);
  }, 120_000);
  afterAll(() => server?.close());

  it('stores exactly the previewed result', async () => {
    expect(await store(TARGET, previewed.ticket)).toEqual({
      __typename: 'Compression',
      format: 'WEBP',
      quality: previewed.quality,
      bytes: previewed.bytes,
      ssim: previewed.ssim,
    });
  }, 60_000);

  it("encodes at the ticket's quality without searching (a genuine ticket naming quality 7)", async () => {
    const stored = await store(TARGET, await forge({ format: 'WEBP', quality: 7 }, TARGET));
    expect(stored).toMatchObject({ __typename: 'Compression', quality: 7 });
    // The search itself would never settle that low for SSIM 0.97.
    expect(previewed.quality).toBeGreaterThan(7);
  }, 60_000);

  it('ignores an altered ticket, an expired one, one for other options, and junk', async () => {
    const [payload, signature] = previewed.ticket.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    const altered = `${Buffer.from(JSON.stringify({ ...claims, quality: 7 })).toString('base64url')}.${signature}`;
    const expired = await forge({ format: 'WEBP', quality: 7 }, TARGET, Date.now() - (PREVIEW_TICKET_TTL_SECONDS + 1) * 1000);
    const otherOptions = await forge({ format: 'WEBP', quality: 7 }, { ...TARGET, targetSsim: 0.9 });
    const otherFormat = await forge({ format: 'JPEG', quality: 7 }, { ...TARGET, format: 'JPEG' });
    for (const ticket of [
      altered,
      expired,
      otherOptions,
      otherFormat,
      '',
      'x',
      `${payload}.`,
      `${payload}.${signature}.x`,
      'a'.repeat(5000),
    ]) {
      const stored = await store(TARGET, ticket);
      // Searched again: the same answer as the preview, never the ticket's quality 7.
      expect(stored, ticket.slice(0, 40)).toEqual({
        __typename: 'Compression',
        format: 'WEBP',
        quality: previewed.quality,
        bytes: previewed.bytes,
        ssim: previewed.ssim,
      });
    }
  }, 240_000);

  it("is no use to another user, on the owner's image or on their own copy of it", async () => {
    const other = await server.signUp();
    expect(await store(TARGET, previewed.ticket, other)).toMatchObject({ __typename: 'NotFoundError' });
    const ownCopy = await storeImage(server, other, await makeImage(1200, 800));
    const response = await server.gql(STORE, { imageId: ownCopy, options: TARGET, ticket: previewed.ticket }, other);
    const searched = (await server.gql(PREVIEW, { imageId: ownCopy, options: TARGET }, other)).data!.previewCompression;
    expect(response.data!.compressImage).toMatchObject({ __typename: 'Compression', quality: searched.quality, bytes: searched.bytes });
  }, 120_000);
});
