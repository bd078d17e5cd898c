// The GraphQL client scripts/container-check.sh drives a running container with: what a user
// does, over real HTTP, with nothing but Node's fetch and sharp (for the test image).
//
//   node scripts/container-client.ts write BASE_URL USER:PASSWORD NAME
//     signs in, runs compressUpload on a small real JPEG (multipart) and checks the result is an
//     image of the asked width, then stores the same JPEG with uploadImage under NAME.
//   node scripts/container-client.ts find BASE_URL USER:PASSWORD NAME
//     signs in, finds the image called NAME in the gallery and downloads its original, which
//     must be byte for byte the JPEG written before (the same input is made again).
//
//   node scripts/container-client.ts create-backend NAME | drop-backend NAME
//     with the test services' PIXPRESS_TEST_* variables (scripts/test-services.sh): creates (or
//     drops) a database and a bucket called NAME and prints the instance settings that use them.
//
// Prints one line per check; exits non-zero with the reason on the first failure.
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import sharp from 'sharp';

type Json = Record<string, unknown>;

const [mode, ...args] = process.argv.slice(2);
if (mode === 'create-backend' || mode === 'drop-backend') {
  try {
    await backend(mode, args[0] ?? '');
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  process.exit(0);
}
const [baseUrl, credentials, name] = args;
if ((mode !== 'write' && mode !== 'find') || !baseUrl || !credentials?.includes(':') || !name) {
  console.error('usage: node scripts/container-client.ts write|find BASE_URL USER:PASSWORD NAME | create-backend|drop-backend NAME');
  process.exit(2);
}
const separator = credentials.indexOf(':');
const username = credentials.slice(0, separator);
const password = credentials.slice(separator + 1);
const endpoint = new URL('/graphql', baseUrl).href;
// Yoga's CSRF prevention refuses multipart requests without one of its headers.
const csrf = { 'x-graphql-yoga-csrf': '1' };

function fail(message: string): never {
  throw new Error(message);
}

/** A 640x480 JPEG of noisy gradients: real, not trivially small, and the same bytes every time (a fixed LCG, not libvips' random noise). */
async function testJpeg(): Promise<Buffer> {
  const width = 640;
  const height = 480;
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const pixel = Math.floor(i / 3);
    pixels[i] = ((pixel % width) * (i % 3 === 0 ? 1 : 0) + (Math.floor(pixel / width) >> (i % 3)) + (seed >>> 26)) & 0xff;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function graphql(query: string, variables: Json, token?: string): Promise<Json> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...csrf, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return readResult(response);
}

/** A GraphQL multipart request (the spec graphql-upload-minimal implements) with one file at variables.file. */
async function graphqlUpload(query: string, variables: Json, file: Buffer, fileName: string, token: string): Promise<Json> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), fileName);
  const response = await fetch(endpoint, { method: 'POST', headers: { ...csrf, authorization: `Bearer ${token}` }, body: form });
  return readResult(response);
}

async function readResult(response: Response): Promise<Json> {
  const text = await response.text();
  let body: { data?: Json; errors?: unknown[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    fail(`HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!response.ok || body.errors?.length || !body.data) fail(`HTTP ${response.status}: ${text.slice(0, 500)}`);
  return body.data;
}

/** The field's object, which must be of the expected __typename (the unions carry typed errors). */
function expectType(data: Json, field: string, typename: string): Json {
  const value = data[field] as Json | undefined;
  if (value?.__typename !== typename) fail(`${field} answered ${JSON.stringify(value).slice(0, 300)}, expected ${typename}`);
  return value;
}

async function logIn(): Promise<string> {
  const data = await graphql(
    'mutation ($username: String!, $password: String!) { logIn(username: $username, password: $password) { __typename ... on AuthPayload { token user { username } } ... on Error { message } } }',
    { username, password },
  );
  const token = expectType(data, 'logIn', 'AuthPayload').token;
  if (typeof token !== 'string' || token.length < 20) fail('logIn gave no token');
  console.log(`signed in as ${username}`);
  return token;
}

async function write(token: string, jpeg: Buffer): Promise<void> {
  const compressed = expectType(
    await graphqlUpload(
      'mutation ($file: Upload!, $options: CompressOptions!) { compressUpload(file: $file, options: $options) { __typename ... on CompressedFile { base64 bytes width height format originalBytes } ... on Error { message } } }',
      { options: { width: 320, format: 'WEBP', quality: 70 } },
      jpeg,
      'noise.jpg',
      token,
    ),
    'compressUpload',
    'CompressedFile',
  );
  const output = Buffer.from(String(compressed.base64), 'base64');
  const metadata = await sharp(output).metadata();
  if (metadata.format !== 'webp' || metadata.width !== 320 || metadata.height !== 240) {
    fail(`compressUpload returned a ${metadata.format} of ${metadata.width}x${metadata.height}, expected a 320x240 webp`);
  }
  if (compressed.bytes !== output.length || compressed.originalBytes !== jpeg.length) {
    fail(`compressUpload's byte counts (${compressed.bytes}, ${compressed.originalBytes}) do not match (${output.length}, ${jpeg.length})`);
  }
  console.log(`compressUpload: ${jpeg.length} B JPEG 640x480 -> ${output.length} B WebP 320x240`);

  const image = expectType(
    await graphqlUpload(
      'mutation ($file: Upload!, $name: String) { uploadImage(file: $file, name: $name) { __typename ... on Image { id name bytes width height } ... on Error { message } } }',
      { name },
      jpeg,
      'noise.jpg',
      token,
    ),
    'uploadImage',
    'Image',
  );
  if (image.name !== name || image.bytes !== jpeg.length || image.width !== 640) fail(`uploadImage stored ${JSON.stringify(image)}`);
  console.log(`uploadImage: stored "${name}" as ${String(image.id)}`);
}

async function find(token: string, jpeg: Buffer): Promise<void> {
  const data = await graphql(
    'query ($search: String) { images(search: $search, first: 10) { totalCount edges { node { id name bytes url } } } }',
    { search: name },
    token,
  );
  const connection = data.images as {
    totalCount: number;
    edges: Array<{ node: { id: string; name: string; bytes: number; url: string } }>;
  };
  const image = connection.edges.map((edge) => edge.node).find((node) => node.name === name);
  if (!image) fail(`no image named "${name}" in the gallery (${connection.totalCount} found)`);
  const response = await fetch(new URL(image.url, baseUrl));
  const bytes = Buffer.from(await response.arrayBuffer());
  if (!response.ok || !bytes.equals(jpeg))
    fail(`the original's URL answered ${response.status} with ${bytes.length} B, expected the ${jpeg.length} B written`);
  console.log(`found "${name}" (${image.id}); its original downloads byte for byte (${bytes.length} B)`);
}

/** A database and a bucket on the test services for instances of the image, or their removal. */
async function backend(action: 'create-backend' | 'drop-backend', name: string): Promise<void> {
  const databaseUrl = process.env.PIXPRESS_TEST_DATABASE_URL;
  const endpoint = process.env.PIXPRESS_TEST_S3_ENDPOINT;
  if (!databaseUrl || !endpoint)
    fail('PIXPRESS_TEST_DATABASE_URL and PIXPRESS_TEST_S3_ENDPOINT are not set (scripts/test-services.sh start)');
  if (!/^[a-z][a-z0-9-]{2,40}$/.test(name)) fail(`"${name}" is not a usable database and bucket name`);
  const database = name.replaceAll('-', '_');
  const s3 = new S3Client({
    endpoint,
    region: process.env.PIXPRESS_TEST_S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.PIXPRESS_TEST_S3_ACCESS_KEY_ID ?? 'S3RVER',
      secretAccessKey: process.env.PIXPRESS_TEST_S3_SECRET_ACCESS_KEY ?? 'S3RVER',
    },
  });
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    if (action === 'create-backend') {
      await admin.query(`create database ${database}`);
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      const url = new URL(databaseUrl);
      url.pathname = `/${database}`;
      const settings = {
        DATABASE_URL: url.href,
        S3_BUCKET: name,
        S3_ENDPOINT: endpoint,
        S3_REGION: process.env.PIXPRESS_TEST_S3_REGION ?? 'us-east-1',
        S3_ACCESS_KEY_ID: process.env.PIXPRESS_TEST_S3_ACCESS_KEY_ID ?? 'S3RVER',
        S3_SECRET_ACCESS_KEY: process.env.PIXPRESS_TEST_S3_SECRET_ACCESS_KEY ?? 'S3RVER',
        S3_FORCE_PATH_STYLE: 'true',
        FILE_URLS: 'proxy',
      };
      for (const [key, value] of Object.entries(settings)) console.log(`${key}=${value}`);
    } else {
      for (;;) {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: name })).catch(() => undefined);
        const keys = (listed?.Contents ?? []).map((object) => ({ Key: object.Key! }));
        if (keys.length === 0) break;
        await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: keys } }));
      }
      await s3.send(new DeleteBucketCommand({ Bucket: name })).catch(() => undefined);
      await admin.query(`drop database if exists ${database} with (force)`);
    }
  } finally {
    await admin.end();
    s3.destroy();
  }
}

try {
  const jpeg = await testJpeg();
  const token = await logIn();
  await (mode === 'write' ? write(token, jpeg) : find(token, jpeg));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
