// Setting up a test's images through the real API (the page's own session cookie rides along),
// for specs about what happens after an upload rather than about uploading.
import { expect, type APIRequestContext } from '@playwright/test';

const CSRF = { 'x-graphql-yoga-csrf': '1' };

export async function uploadImage(request: APIRequestContext, name: string, file: Buffer, mimeType = 'image/jpeg'): Promise<string> {
  // A FormData keeps the multipart order the spec asks for (operations, map, then files); an
  // object literal would put the integer-like key "0" first.
  const form = new FormData();
  form.set(
    'operations',
    JSON.stringify({
      query:
        'mutation ($file: Upload!, $name: String) { uploadImage(file: $file, name: $name) { __typename ... on Image { id } ... on Error { message } } }',
      variables: { file: null, name },
    }),
  );
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob([new Uint8Array(file)], { type: mimeType }), `${name}.${mimeType.split('/')[1]}`);
  const response = await request.post('/graphql', { headers: CSRF, multipart: form });
  expect(response.status()).toBe(200);
  const outcome = (await response.json()).data.uploadImage;
  expect(outcome.__typename, outcome.message).toBe('Image');
  return outcome.id as string;
}

export async function compressImage(request: APIRequestContext, imageId: string, options: Record<string, unknown>): Promise<string> {
  const response = await request.post('/graphql', {
    headers: { ...CSRF, 'content-type': 'application/json' },
    data: {
      query:
        'mutation ($imageId: ID!, $options: CompressOptions!) { compressImage(imageId: $imageId, options: $options) { __typename ... on Compression { id } ... on Error { message } } }',
      variables: { imageId, options },
    },
  });
  expect(response.status()).toBe(200);
  const outcome = (await response.json()).data.compressImage;
  expect(outcome.__typename, outcome.message).toBe('Compression');
  return outcome.id as string;
}
