// GET /metrics through real HTTP: request durations by operation, uploads refused by reason,
// store size and queue depth read at scrape time, compression figures, one registry per app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { CSRF, startTestServer, uploadImage, type TestServer } from './harness.ts';

/** The value of one sample in Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([key, value]) => found[key] === value) && Object.keys(found).length === Object.keys(labels).length) {
      return Number(match[3]);
    }
  }
  return undefined;
}

async function scrape(server: TestServer): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${server.url}/metrics`);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

describe('/metrics', () => {
  let server: TestServer;
  let token: string;
  let jpeg: Buffer;

  beforeAll(async () => {
    server = await startTestServer({ QUOTA_IMAGES: '1', MAX_UPLOAD_BYTES: '20000' });
    token = await server.signUp();
    jpeg = await makeImage(64, 48, 'jpeg');
  });
  afterAll(() => server.close());

  it('starts with every refusal reason and output format at zero, and an empty store', async () => {
    const { status, contentType, text } = await scrape(server);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const reason of ['quota', 'too_large', 'invalid_image', 'invalid_input', 'unauthenticated', 'server_busy']) {
      expect(sample(text, 'pixpress_uploads_refused_total', { reason })).toBe(0);
    }
    for (const format of ['JPEG', 'PNG', 'WEBP', 'AVIF']) {
      expect(sample(text, 'pixpress_compression_bytes_saved_total', { format })).toBe(0);
    }
    expect(sample(text, 'pixpress_store_users')).toBe(1);
    expect(sample(text, 'pixpress_store_images')).toBe(0);
    expect(sample(text, 'pixpress_store_bytes', { kind: 'originals' })).toBe(0);
    expect(sample(text, 'pixpress_image_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(sample(text, 'pixpress_image_queue_jobs', { state: 'running' })).toBe(0);
    // The process metrics come with the app's own registry.
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts the store after an upload and each refused upload under its reason', async () => {
    const image = await uploadImage(server, token, jpeg, 'first.jpg');
    expect(image.__typename).toBe('Image');

    const overQuota = await uploadImage(server, token, jpeg, 'second.jpg');
    expect(overQuota.code).toBe('QUOTA_EXCEEDED');

    const other = await server.signUp();
    const notAnImage = await uploadImage(server, other, new TextEncoder().encode('just some text, not an image'), 'notes.jpg');
    expect(notAnImage.code).toBe('INVALID_IMAGE');
    const tooLarge = await uploadImage(server, other, new Uint8Array(30_000).fill(7), 'big.jpg');
    expect(tooLarge.code).toBe('FILE_TOO_LARGE');

    const signedOut = await server.multipart(
      'mutation Up($file: Upload!) { uploadImage(file: $file) { __typename } }',
      { file: null },
      { file: { data: jpeg, filename: 'x.jpg' } },
    );
    expect(signedOut.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // Refused before any resolver runs: the declared body is beyond what 10 files may carry.
    const huge = new Uint8Array(20_000 * 10 + 1024 * 1024 + 1);
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: 'mutation($file: Upload!) { uploadImage(file: $file) { __typename } }', variables: { file: null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([huge]), 'huge.jpg');
    const refused = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { ...CSRF, authorization: `Bearer ${other}` },
      body: form,
    });
    expect(refused.status).toBe(413);

    const { text } = await scrape(server);
    expect(sample(text, 'pixpress_uploads_refused_total', { reason: 'quota' })).toBe(1);
    expect(sample(text, 'pixpress_uploads_refused_total', { reason: 'invalid_image' })).toBe(1);
    expect(sample(text, 'pixpress_uploads_refused_total', { reason: 'too_large' })).toBe(2);
    expect(sample(text, 'pixpress_uploads_refused_total', { reason: 'unauthenticated' })).toBe(1);
    expect(sample(text, 'pixpress_uploads_refused_total', { reason: 'server_busy' })).toBe(0);

    expect(sample(text, 'pixpress_store_users')).toBe(2);
    expect(sample(text, 'pixpress_store_images')).toBe(1);
    expect(sample(text, 'pixpress_store_bytes', { kind: 'originals' })).toBe(jpeg.length);
    expect(sample(text, 'pixpress_store_bytes', { kind: 'thumbnails' })).toBeGreaterThan(0);
  });

  it('times requests by the root field executed, and other requests by route', async () => {
    await server.gql('query WhoAmI { me { username } }', {}, token);
    await server.gql('query WhoAmI { me { username } }', {}, token);
    await server.gql('{ me { username } }', {}, token);
    await fetch(`${server.url}/healthz`);

    const { text } = await scrape(server);
    const count = (labels: Record<string, string>) => sample(text, 'pixpress_http_request_duration_seconds_count', labels);
    // Named or not, the label is the root field: the client's operation names never become labels.
    expect(count({ route: 'graphql', operation: 'me', status: '200' })).toBe(3);
    expect(count({ route: 'graphql', operation: 'WhoAmI', status: '200' })).toBeUndefined();
    expect(count({ route: 'graphql', operation: 'signUp', status: '200' })).toBe(2);
    expect(count({ route: 'graphql', operation: 'uploadImage', status: '200' })).toBe(5);
    // Refused before execution: no root field was run.
    expect(count({ route: 'graphql', operation: 'none', status: '413' })).toBe(1);
    expect(count({ route: 'healthz', operation: 'healthz', status: '200' })).toBe(1);
    // Every observation lands in the +Inf bucket, and the sum is a positive duration.
    expect(
      sample(text, 'pixpress_http_request_duration_seconds_bucket', { route: 'graphql', operation: 'me', status: '200', le: '+Inf' }),
    ).toBe(3);
    expect(
      sample(text, 'pixpress_http_request_duration_seconds_sum', { route: 'graphql', operation: 'me', status: '200' }),
    ).toBeGreaterThan(0);
  });

  it('reports compressions by output format through services.metrics', async () => {
    server.app.services.metrics.observeCompression('webp', 0.2, 12_000);
    server.app.services.metrics.observeCompression('WEBP', 0.4, 3_000);
    // A compression larger than its original saves nothing; the counter never goes down.
    server.app.services.metrics.observeCompression('PNG', 0.1, -500);

    const { text } = await scrape(server);
    expect(sample(text, 'pixpress_compressions_total', { format: 'WEBP' })).toBe(2);
    expect(sample(text, 'pixpress_compression_bytes_saved_total', { format: 'WEBP' })).toBe(15_000);
    expect(sample(text, 'pixpress_compression_bytes_saved_total', { format: 'PNG' })).toBe(0);
    expect(sample(text, 'pixpress_compression_duration_seconds_count', { format: 'WEBP' })).toBe(2);
    expect(sample(text, 'pixpress_compression_duration_seconds_sum', { format: 'WEBP' })).toBeCloseTo(0.6, 5);
    expect(sample(text, 'pixpress_compression_duration_seconds_bucket', { format: 'WEBP', le: '0.25' })).toBe(1);
  });

  it('keeps one registry per app: a second app in the same process counts only its own', async () => {
    const second = await startTestServer();
    try {
      await second.gql('query Elsewhere { tags { name } }');
      const mine = await scrape(server);
      const theirs = await scrape(second);
      expect(sample(theirs.text, 'pixpress_uploads_refused_total', { reason: 'quota' })).toBe(0);
      expect(sample(theirs.text, 'pixpress_store_users')).toBe(0);
      expect(
        sample(theirs.text, 'pixpress_http_request_duration_seconds_count', { route: 'graphql', operation: 'tags', status: '200' }),
      ).toBe(1);
      expect(
        sample(mine.text, 'pixpress_http_request_duration_seconds_count', { route: 'graphql', operation: 'tags', status: '200' }),
      ).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it('labels only root fields of the schema, however many operation names anonymous clients make up', async () => {
    const names = Array.from({ length: 250 }, (_, index) => `Flood${index}`);
    for (const name of names) await server.gql(`query ${name} { __typename }`);
    await server.gql('query Bogus { notAField }');
    const { text } = await scrape(server);
    const operations = new Set(
      [...text.matchAll(/^pixpress_http_request_duration_seconds_count\{route="graphql",operation="([^"]*)"/gm)].map((match) => match[1]),
    );
    expect([...operations].filter((operation) => /Flood|Bogus|notAField/.test(operation!))).toEqual([]);
    expect(operations.has('__typename')).toBe(true);
    expect(operations.size).toBeLessThan(20);
  });

  it('answers only GET and HEAD', async () => {
    const response = await fetch(`${server.url}/metrics`, { method: 'POST', body: '' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
