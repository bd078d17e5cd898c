// The generated bad-input corpus (scripts/bad-corpus.ts) against a real server: every case gets a
// typed error or a 4xx in bounded time, nothing is left on disk for a refused upload, and every
// stored output is free of script bytes and metadata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBadCorpus, type CorpusCase, type FileCase } from '../../../scripts/bad-corpus.ts';
import { CSRF, startTestServer, storageProblems, storedAndScratch, storedKeys, type TestServer } from '../harness.ts';
import { makeImage } from '../../../testkit/fixtures.ts';
import { outputProblems, rawRequest, storedOutputProblems } from './helpers.ts';

const SEED = 20261126;
const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
const MAX_INPUT_PIXELS = 4_000_000;
/** A case that takes longer than this counts as a hang. */
const CASE_BOUND_MS = 15_000;
const TYPED_ERRORS = new Set(['InvalidImageError', 'FileTooLargeError', 'ValidationError']);
const COMPRESS_UPLOAD = `mutation($file: Upload!) {
  compressUpload(file: $file, options: { width: 64, quality: 60, format: WEBP }) {
    __typename
    ... on CompressedFile { base64 format }
    ... on Error { code message }
  }
}`;
const COMPRESS_STORED = `mutation($id: ID!, $options: CompressOptions!) {
  compressImage(imageId: $id, options: $options) { __typename ... on Compression { id } ... on Error { code message } }
}`;
const UPLOAD = `mutation($file: Upload!) {
  uploadImage(file: $file) {
    __typename
    ... on Image { id url thumbnailUrl format }
    ... on Error { code message }
  }
}`;

interface Outcome {
  id: string;
  category: string;
  status: number;
  result: string;
  ms: number;
  problem?: string;
}

let server: TestServer;
let token: string;
let corpus: CorpusCase[];
const outcomes: Outcome[] = [];
const accepted: Array<{ id: string; url: string; thumbnailUrl: string }> = [];

beforeAll(async () => {
  server = await startTestServer({
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    MAX_INPUT_PIXELS: String(MAX_INPUT_PIXELS),
    QUOTA_IMAGES: '100000',
    QUOTA_FILES: '1000000',
    IMAGE_JOB_TIMEOUT_MS: '10000',
  });
  token = await server.signUp();
  corpus = await buildBadCorpus({ seed: SEED, maxUploadBytes: MAX_UPLOAD_BYTES, maxInputPixels: MAX_INPUT_PIXELS });
});

afterAll(async () => {
  const refused = outcomes.filter((outcome) => outcome.result !== 'Image').length;
  const hangs = outcomes.filter((outcome) => outcome.problem?.startsWith('hang')).length;
  const crashes = outcomes.filter((outcome) => outcome.status >= 500 || outcome.problem?.startsWith('unexpected')).length;
  const slowest = Math.max(0, ...outcomes.map((outcome) => outcome.ms));
  console.info(
    `[hardening] bad inputs: ${outcomes.length} cases (seed ${SEED}), ${refused} refused, ${outcomes.length - refused} accepted as valid images, ` +
      `${crashes} crashes (5xx or unexpected errors), ${hangs} hangs, slowest ${Math.round(slowest)} ms`,
  );
  await server?.close();
});

async function uploadCase(entry: FileCase): Promise<Outcome> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([new Uint8Array(entry.data)], { type: entry.mimeType }), entry.filename);
  const started = performance.now();
  try {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { ...CSRF, authorization: `Bearer ${token}` },
      body: form,
      signal: AbortSignal.timeout(CASE_BOUND_MS),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    let body: { data?: { uploadImage?: Record<string, string> } | null; errors?: Array<{ message: string }> };
    try {
      body = JSON.parse(text);
    } catch {
      return {
        id: entry.id,
        category: entry.category,
        status: response.status,
        result: 'non-JSON',
        ms,
        problem: response.status < 500 ? undefined : `unexpected body ${text.slice(0, 80)}`,
      };
    }
    const result = body.data?.uploadImage;
    const outcome: Outcome = {
      id: entry.id,
      category: entry.category,
      status: response.status,
      result: result?.__typename ?? `HTTP ${response.status}`,
      ms,
    };
    if (response.status >= 500) outcome.problem = `unexpected status ${response.status}: ${text.slice(0, 200)}`;
    else if (body.errors?.some((error) => error.message === 'Unexpected error.'))
      outcome.problem = `unexpected error: ${text.slice(0, 200)}`;
    else if (result?.__typename === 'Image') accepted.push(result as never);
    else if (!result && response.status < 400) outcome.problem = `unexpected: neither typed error nor 4xx: ${text.slice(0, 200)}`;
    else if (result && !TYPED_ERRORS.has(result.__typename!)) outcome.problem = `unexpected result type ${result.__typename}`;
    return outcome;
  } catch (error) {
    return {
      id: entry.id,
      category: entry.category,
      status: 0,
      result: 'none',
      ms: performance.now() - started,
      problem: `hang or reset: ${(error as Error).message}`,
    };
  }
}

describe('the bad-input corpus', () => {
  it('has at least 300 generated cases across every format and kind of damage', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const files = corpus.filter((entry): entry is FileCase => entry.kind === 'file');
    for (const format of ['jpeg', 'png', 'webp', 'avif', 'gif']) {
      expect(files.filter((entry) => entry.id.includes(`/${format}/`)).length).toBeGreaterThan(40);
    }
    const categories = new Set(corpus.map((entry) => entry.category));
    for (const category of [
      'truncated',
      'bit-flip',
      'wrong-magic',
      'pixel-flood',
      'polyglot',
      'svg-script',
      'zero-bytes',
      'text-as-image',
      'oversized',
      'multipart-missing-map',
      'multipart-map-unknown-variable',
      'multipart-several-files-one-variable',
      'oversized-json',
    ]) {
      expect(categories, category).toContain(category);
    }
  });

  it('gets a typed error (or, for bytes that still decode, an Image) for every file, never a 5xx or a hang, and leaves no file behind', async () => {
    const problems: string[] = [];
    for (const entry of corpus) {
      if (entry.kind !== 'file') continue;
      const before = await storedAndScratch(server);
      const outcome = await uploadCase(entry);
      outcomes.push(outcome);
      if (outcome.problem) problems.push(`${entry.id}: ${outcome.problem}`);
      if (entry.verdict === 'refuse' && outcome.result === 'Image') problems.push(`${entry.id}: accepted, should be refused`);
      if (outcome.result !== 'Image') {
        const after = await storedAndScratch(server);
        if (after.join('\n') !== before.join('\n'))
          problems.push(`${entry.id}: refused but left ${after.filter((path) => !before.includes(path)).join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    // The pixel floods and oversized files are refused for what they are, not as generic junk.
    const mustRefuse = new Set(corpus.filter((entry) => entry.verdict === 'refuse').map((entry) => entry.id));
    const floods = outcomes.filter((outcome) => outcome.category === 'pixel-flood' && mustRefuse.has(outcome.id));
    expect(floods.every((outcome) => outcome.result === 'FileTooLargeError' || outcome.result === 'InvalidImageError')).toBe(true);
    expect(floods.filter((outcome) => outcome.result === 'FileTooLargeError').length).toBeGreaterThan(floods.length / 2);
    expect(outcomes.filter((outcome) => outcome.category === 'oversized').map((outcome) => outcome.result)).toEqual([
      'FileTooLargeError',
      'FileTooLargeError',
    ]);
  });

  it('answers every malformed multipart and oversized body with a 4xx and a message, in bounded time', async () => {
    const problems: string[] = [];
    for (const entry of corpus) {
      if (entry.kind !== 'raw') continue;
      const before = await storedAndScratch(server);
      try {
        const response = await rawRequest(`${server.url}/graphql`, {
          headers: { ...CSRF, authorization: `Bearer ${token}`, ...entry.headers },
          body: entry.body,
          timeoutMs: CASE_BOUND_MS,
        });
        // A typed error in the data (the file part itself was missing or cut) counts as refused.
        let typed: string | undefined;
        try {
          typed = JSON.parse(response.body).data?.uploadImage?.__typename;
        } catch {
          typed = undefined;
        }
        const result = typed ?? `HTTP ${response.status}`;
        outcomes.push({ id: entry.id, category: entry.category, status: response.status, result, ms: response.ms });
        if (response.status >= 500 || response.body.includes('Unexpected error.'))
          problems.push(`${entry.id}: HTTP ${response.status} ${response.body.slice(0, 200)}`);
        else if (typed === 'Image') {
          if (entry.verdict === 'refuse') problems.push(`${entry.id}: accepted, should be refused`);
        } else if (typed ? !TYPED_ERRORS.has(typed) : response.status < 400)
          problems.push(`${entry.id}: HTTP ${response.status} ${response.body.slice(0, 200)}`);
        else if (!/"message"/.test(response.body)) problems.push(`${entry.id}: no error message in ${response.body.slice(0, 200)}`);
        if (entry.category.startsWith('oversized') && response.status !== 413)
          problems.push(`${entry.id}: ${response.status}, expected 413`);
      } catch (error) {
        outcomes.push({
          id: entry.id,
          category: entry.category,
          status: 0,
          result: 'none',
          ms: CASE_BOUND_MS,
          problem: `hang or reset: ${(error as Error).message}`,
        });
        problems.push(`${entry.id}: ${(error as Error).message}`);
      }
      const after = await storedAndScratch(server);
      if (outcomes.at(-1)?.result !== 'Image' && after.join('\n') !== before.join('\n')) {
        problems.push(`${entry.id}: left ${after.filter((path) => !before.includes(path)).join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('compresses every accepted image into a clean stored compression (JPEG, PNG, WebP, AVIF)', async () => {
    const formats = ['JPEG', 'PNG', 'WEBP', 'AVIF'];
    const results = [];
    for (const [index, image] of accepted.entries()) {
      const result = await server.gql(
        COMPRESS_STORED,
        { id: image.id, options: { width: 80, quality: 50, format: formats[index % formats.length] } },
        token,
      );
      results.push(result.data?.compressImage?.__typename ?? JSON.stringify(result.errors));
    }
    expect(results.filter((type) => type !== 'Compression')).toEqual([]);
  });

  it('answers compressUpload (nothing stored) for the file cases with a clean output or a typed error, leaving nothing behind', async () => {
    const problems: string[] = [];
    let tried = 0;
    const files = corpus.filter((entry): entry is FileCase => entry.kind === 'file');
    for (const [index, entry] of files.entries()) {
      // Every case that may decode, and every third of the rest.
      if (entry.verdict === 'refuse' && index % 3 !== 0) continue;
      tried++;
      const before = await storedAndScratch(server);
      const result = await server.multipart(
        COMPRESS_UPLOAD,
        { file: null },
        { file: { data: entry.data, filename: entry.filename, type: entry.mimeType } },
        token,
      );
      const outcome = result.data?.compressUpload;
      if (result.status >= 500 || result.errors?.some((error) => error.message === 'Unexpected error.'))
        problems.push(`${entry.id}: ${JSON.stringify(result.errors)}`);
      else if (outcome?.__typename === 'CompressedFile') {
        if (entry.verdict === 'refuse') problems.push(`${entry.id}: compressed, should be refused`);
        const output = await outputProblems(Buffer.from(outcome.base64, 'base64'));
        if (output.length > 0) problems.push(`${entry.id}: output ${output.join(', ')}`);
      } else if (!outcome ? result.status < 400 : !TYPED_ERRORS.has(outcome.__typename))
        problems.push(`${entry.id}: ${JSON.stringify(result).slice(0, 200)}`);
      const after = await storedAndScratch(server);
      if (after.join('\n') !== before.join('\n'))
        problems.push(`${entry.id}: left ${after.filter((path) => !before.includes(path)).join(', ')}`);
    }
    console.info(`[hardening] bad inputs through compressUpload: ${tried} cases, ${problems.length} problems`);
    expect(tried).toBeGreaterThan(150);
    expect(problems).toEqual([]);
  }, 180_000);

  it('stores only clean outputs: no script bytes, no EXIF, GPS, XMP or IPTC in any thumbnail or compression', async () => {
    expect(accepted.length).toBeGreaterThan(0);
    expect((await storedKeys(server)).filter((path) => path.includes('/compressions/')).length).toBe(accepted.length);
    expect(await storedOutputProblems(server.app.services.blobs)).toEqual({});
    // Originals are kept as uploaded; they are served so that no browser runs what they carry.
    for (const image of accepted) {
      const original = await fetch(`${server.url}${image.url}`);
      expect(original.status).toBe(200);
      expect(original.headers.get('content-type')).toMatch(/^image\/(jpeg|png|webp|avif|gif)$/);
      expect(original.headers.get('x-content-type-options')).toBe('nosniff');
      expect(original.headers.get('content-security-policy')).toContain('sandbox');
      await original.arrayBuffer();
    }
  });

  it('is healthy afterwards: /healthz ok, a normal upload works, and disk and database agree', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const photo = await makeImage(320, 240, 'jpeg');
    const result = await server.multipart(UPLOAD, { file: null }, { file: { data: photo, filename: 'fine.jpg' } }, token);
    expect(result.data?.uploadImage.__typename).toBe('Image');
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });
});
