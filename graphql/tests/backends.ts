// Which storage the HTTP suites run on. vitest.config.ts runs them twice when the Postgres and S3
// test services are given (CI always gives them): once on the embedded default, once with every
// server on a fresh Postgres database and a fresh bucket. Test support reads these variables
// directly; the application itself only ever sees them through loadConfig.
import { createHash } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createDatabase, databaseUrlFor, dropDatabase, emptyBucket } from '../../testkit/storage-admin.ts';

export type TestBackend = 'embedded' | 'postgres-s3';

export const TEST_BACKEND: TestBackend = process.env.PIXPRESS_TEST_BACKEND === 'postgres-s3' ? 'postgres-s3' : 'embedded';
export const TEST_DATABASE_URL = process.env.PIXPRESS_TEST_DATABASE_URL || null;
export const TEST_S3_ENDPOINT = process.env.PIXPRESS_TEST_S3_ENDPOINT || null;

/** The settings that put one test server's records and files on the test services. */
export interface BackendEnv {
  env: Record<string, string>;
  /** Drops the database and the bucket. */
  drop(): Promise<void>;
}

/**
 * A database and a bucket named after the data folder, so that a server restarted on the same
 * folder (the restart tests) finds the same records and files.
 */
export async function backendFor(dataDir: string, backend: TestBackend = TEST_BACKEND): Promise<BackendEnv> {
  if (backend === 'embedded') return { env: {}, drop: async () => {} };
  if (!TEST_DATABASE_URL || !TEST_S3_ENDPOINT) {
    throw new Error(
      'PIXPRESS_TEST_BACKEND=postgres-s3 needs PIXPRESS_TEST_DATABASE_URL and PIXPRESS_TEST_S3_ENDPOINT (scripts/test-services.sh starts both)',
    );
  }
  const name = `pixpress-t-${createHash('sha256').update(dataDir).digest('hex').slice(0, 20)}`;
  const database = name.replaceAll('-', '_');
  await createDatabase(TEST_DATABASE_URL, database);
  const s3 = testS3Client();
  await s3.send(new CreateBucketCommand({ Bucket: name })).catch((error: { name?: string }) => {
    if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
  });
  return {
    env: {
      DATABASE_URL: databaseUrlFor(TEST_DATABASE_URL, database),
      S3_BUCKET: name,
      S3_ENDPOINT: TEST_S3_ENDPOINT,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      // The suites fetch `${server.url}${url}`: the app's /files/ URLs, served from the bucket.
      // Presigned bucket URLs have suites of their own.
      FILE_URLS: 'proxy',
    },
    async drop() {
      await emptyBucket(s3, name).catch(() => {});
      await s3.send(new DeleteBucketCommand({ Bucket: name })).catch(() => {});
      s3.destroy();
      await dropDatabase(TEST_DATABASE_URL, database).catch(() => {});
    },
  };
}

export function testS3Client(): S3Client {
  return new S3Client({
    endpoint: TEST_S3_ENDPOINT ?? undefined,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}
