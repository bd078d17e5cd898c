// Proves the test services answer real clients: Postgres through pg and Kysely, the S3 server
// through @aws-sdk/client-s3, lib-storage and the presigner, each result compared with what was
// sent. scripts/test-services.sh start runs it; by hand:
//   (set -a; . ./.test-services.env; node scripts/test-services-check.ts)
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: source the file scripts/test-services.sh start wrote`);
  return value;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function timed(label: string, run: () => Promise<string>): Promise<void> {
  const started = performance.now();
  const detail = await run();
  console.log(`  ok ${label}: ${detail} (${Math.round(performance.now() - started)} ms)`);
}

async function checkPostgres(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await timed('pg select 1', async () => {
      const { rows } = await pool.query<{ one: number; version: string }>('select 1 as one, current_setting($1) as version', [
        'server_version',
      ]);
      check(rows[0]?.one === 1, `select 1 returned ${JSON.stringify(rows)}`);
      return `Postgres ${rows[0]!.version}`;
    });
    const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool }) });
    await timed('Kysely select 1', async () => {
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
      check(rows[0]?.one === 1, `Kysely's select 1 returned ${JSON.stringify(rows)}`);
      return 'one = 1';
    });
  } finally {
    await pool.end();
  }
}

async function checkS3(): Promise<void> {
  const s3 = new S3Client({
    endpoint: required('PIXPRESS_TEST_S3_ENDPOINT'),
    region: required('PIXPRESS_TEST_S3_REGION'),
    forcePathStyle: true,
    credentials: {
      accessKeyId: required('PIXPRESS_TEST_S3_ACCESS_KEY_ID'),
      secretAccessKey: required('PIXPRESS_TEST_S3_SECRET_ACCESS_KEY'),
    },
    // s3rver stores a streamed body's aws-chunked framing as content otherwise (see test-services.sh).
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const Bucket = `check-${Date.now()}-${process.pid}`;
  const Key = 'originals/check.bin';
  const body = randomBytes(300_000);
  try {
    await timed('S3 create bucket, put (streamed), get', async () => {
      await s3.send(new CreateBucketCommand({ Bucket }));
      await s3.send(
        new PutObjectCommand({
          Bucket,
          Key,
          Body: Readable.from([body]),
          ContentLength: body.length,
          ContentType: 'application/octet-stream',
        }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      check(bytes.equals(body), `got ${bytes.length} bytes back, not the ${body.length} put`);
      return `${bytes.length} bytes intact`;
    });
    await timed('S3 multipart upload (lib-storage)', async () => {
      const large = randomBytes(6 * 1024 * 1024 + 17);
      await new Upload({
        client: s3,
        params: { Bucket, Key: 'large.bin', Body: Readable.from([large]) },
        partSize: 5 * 1024 * 1024,
      }).done();
      const got = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'large.bin' }))).Body!.transformToByteArray());
      check(got.equals(large), `multipart object came back as ${got.length} bytes, not ${large.length}`);
      return `${large.length} bytes in 2 parts intact`;
    });
    await timed('S3 list', async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'originals/' }));
      const keys = (listed.Contents ?? []).map((object) => `${object.Key}:${object.Size}`);
      check(keys.join() === `${Key}:${body.length}`, `listed ${keys.join() || 'nothing'}`);
      return keys.join();
    });
    // s3rver makes continuation tokens with DES, which Node's OpenSSL 3 only has in its legacy
    // provider: paging is what breaks first when s3rver is started without it.
    await timed('S3 list, paged', async () => {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 1, ContinuationToken }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key!));
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken && keys.length < 10);
      check(keys.join() === `large.bin,${Key}`, `paged listing gave ${keys.join() || 'nothing'}`);
      return `${keys.length} pages of one key`;
    });
    await timed('S3 presigned GET', async () => {
      const command = new GetObjectCommand({
        Bucket,
        Key,
        ResponseContentType: 'image/jpeg',
        ResponseContentDisposition: 'attachment; filename="check.jpg"',
      });
      const url = await getSignedUrl(s3, command, { expiresIn: 60 });
      const response = await fetch(url);
      const bytes = Buffer.from(await response.arrayBuffer());
      check(response.status === 200 && bytes.equals(body), `presigned GET answered ${response.status} with ${bytes.length} bytes`);
      check(response.headers.get('content-type') === 'image/jpeg', `presigned GET's content type: ${response.headers.get('content-type')}`);
      check(response.headers.get('content-disposition') === 'attachment; filename="check.jpg"', 'presigned GET lost the file name');
      return '200, the bytes, content type and file name asked for';
    });
    // Plain s3rver exits on this (see scripts/s3rver.ts); it did so part-way through a CI run.
    await timed('S3 delete and put in one key folder at once, 20 rounds', async () => {
      const small = randomBytes(20_000);
      for (let round = 0; round < 20; round += 1) {
        await s3.send(new PutObjectCommand({ Bucket, Key: `race/old-${round}`, Body: small }));
        await Promise.all([
          s3.send(new DeleteObjectCommand({ Bucket, Key: `race/old-${round}` })),
          s3.send(new PutObjectCommand({ Bucket, Key: `race/new-${round}`, Body: small })),
        ]);
        const got = Buffer.from(
          await (await s3.send(new GetObjectCommand({ Bucket, Key: `race/new-${round}` }))).Body!.transformToByteArray(),
        );
        check(got.equals(small), `round ${round}: the object put during a delete came back as ${got.length} bytes`);
        await s3.send(new DeleteObjectCommand({ Bucket, Key: `race/new-${round}` }));
      }
      return 'the server stayed up and kept every object put';
    });
    await timed('S3 delete', async () => {
      await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      await s3.send(new DeleteObjectCommand({ Bucket, Key: 'large.bin' }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
      check((listed.KeyCount ?? 0) === 0, `${listed.KeyCount} objects left after delete`);
      return 'bucket empty';
    });
  } finally {
    await s3.send(new DeleteBucketCommand({ Bucket })).catch(() => undefined);
    s3.destroy();
  }
}

try {
  await checkPostgres(required('PIXPRESS_TEST_DATABASE_URL'));
  await checkS3();
} catch (error) {
  console.error(`test-services check failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
