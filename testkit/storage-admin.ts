// What the tests and the benchmarks do to the Postgres server and the bucket around the app: make
// a database of their own and drop it, empty a bucket before deleting it. The admin URL comes from
// the caller (the test environment or a bench's command line), never from here.
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';

/** Runs `work` on one connection to the server as the admin URL's role, closed afterwards. */
export async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The admin URL pointed at another database of the same server. */
export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Names are made by the callers from random hex; anything else is refused, not quoted. */
function checkedDatabaseName(database: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a database name made by the tests: ${database}`);
  return database;
}

/** Creates the database unless it exists (a restarted test server finds its own again). */
export async function createDatabase(adminUrl: string, database: string): Promise<void> {
  const name = checkedDatabaseName(database);
  await withAdmin(adminUrl, async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${name}`);
  });
}

/** Drops the database, ending the sessions still on it. */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const name = checkedDatabaseName(database);
  await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
}

/** Deletes every object, a listing page at a time, so that the bucket itself can be deleted. */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listed.Contents ?? []).map((object) => ({ Key: object.Key! }));
    if (keys.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
}
