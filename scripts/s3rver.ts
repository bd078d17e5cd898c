// Starts s3rver, the S3 stand-in the Postgres + S3 tests run against, with one of its defects
// taken out. Used by scripts/test-services.sh:
//   node scripts/s3rver.ts DIRECTORY ADDRESS BUCKET
// and prints "S3rver listening on ADDRESS:PORT" (a free port) like s3rver's own command.
//
// The defect: s3rver's filesystem store deletes an object's now-empty folders after a
// DeleteObject. A PutObject into the same folder that has just made it (mkdirp) then opens its
// file in a folder that is gone; the ENOENT lands on a write stream with no error listener and
// the whole server exits. Pixpress keys share folders ({userId}/compressions/…), so deleting an
// image while another of its compressions is written killed the test server part-way through CI
// (reproduced in isolation: put u/compressions/a; delete it while putting u/compressions/b; the
// server died on the second round). S3 has no folders; listings and BucketNotEmpty are decided by
// the objects alone, so keeping the empty folders changes nothing a client can see.
import { unlink } from 'node:fs/promises';
import S3rver from 's3rver';

const [directory, address, bucket] = process.argv.slice(2);
if (!directory || !address || !bucket) {
  console.error('usage: node scripts/s3rver.ts DIRECTORY ADDRESS BUCKET');
  process.exit(2);
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

const server = new S3rver({ directory, address, port: 0, silent: false, configureBuckets: [{ name: bucket, configs: [] }] });
const store = (server as unknown as { store: FilesystemStore }).store;
store.deleteObject = async (bucketName, key) => {
  const files = ['object', 'object.md5', 'metadata.json'].map((resource) => store.getResourcePath(bucketName, key, resource));
  await Promise.all(
    files.map((file) =>
      unlink(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error))),
    ),
  );
};

const { address: boundAddress, port } = await server.run();
console.log('S3rver listening on %s:%d', boundAddress, port);
