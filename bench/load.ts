// Load on the real server (`node server.ts`, a child process on a loopback port over a temp data
// folder): 200 concurrent clients on the gallery query and the gallery page while uploads with
// compressions run at the same time; then, with --soak, a longer run sampling the server's RSS.
//
//   node bench/load.ts                 30 s load: errors, p50 / p99, and ratios to /healthz
//   node bench/load.ts --soak [secs]   the same mix for 300 s (default), RSS every 10 s
//
// Needs the site built (npm run build) for the page; without it the page is left out.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
type Result = autocannon.Result;
import { makeImage } from '../testkit/fixtures.ts';
import { startChildServer, type ChildServer } from '../testkit/child-server.ts';

const soak = process.argv.includes('--soak');
const durationSeconds = soak ? Number(process.argv[process.argv.indexOf('--soak') + 1]) || 300 : 30;
const CLIENTS = 200;
const UPLOAD_WORKERS = 4;
const GALLERY = `query Gallery {
  me { username usage { images maxImages files maxFiles bytes } }
  images(first: 24) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name width height bytes format tags thumbnailUrl url createdAt } } }
}`;
const UPLOAD = `mutation($file: Upload!) { uploadImage(file: $file) { __typename ... on Image { id } ... on Error { code message } } }`;
const COMPRESS = `mutation($id: ID!, $options: CompressOptions!) { compressImage(imageId: $id, options: $options) { __typename ... on Compression { id bytes } ... on Error { code message } } }`;
const DELETE = `mutation($id: ID!) { deleteImage(id: $id) { __typename } }`;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function graphql(server: ChildServer, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function upload(server: ChildServer, token: string, data: Buffer, name: string) {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([new Uint8Array(data)]), name);
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** autocannon counts timeouts among its errors; non-2xx answers are counted apart. */
function errorsOf(result: Result): number {
  return result.errors + result.non2xx;
}

function describe(label: string, result: Result): string {
  return `${label.padEnd(22)} ${String(result.requests.total).padStart(7)} requests  ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${String(result.latency.p50).padStart(4)} ms  p99 ${String(result.latency.p99).padStart(5)} ms  errors ${errorsOf(result)} (non-2xx ${result.non2xx}, timeouts ${result.timeouts})`;
}

const dataDir = await mkdtemp(join(tmpdir(), 'pixpress-load-'));
const server = await startChildServer(dataDir, {
  LOG_LEVEL: 'warn',
  // Manual servers here use ports 4700-4799 (loopback only).
  PORT: process.env.BENCH_PORT ?? '4750',
  QUOTA_IMAGES: '100000',
  QUOTA_FILES: '1000000',
  QUOTA_COMPRESSIONS_PER_IMAGE: '100000',
  IMAGE_QUEUE_SIZE: '1000',
});
const pid = server.process.pid!;
try {
  const signUp = await graphql(
    server,
    '',
    `mutation { signUp(username: "loader", password: "correct horse battery") { ... on AuthPayload { token } } }`,
  );
  const token = signUp.body.data.signUp.token as string;
  const photos = [await makeImage(1600, 1200, 'jpeg'), await makeImage(1200, 900, 'png'), await makeImage(1280, 960, 'webp')];
  for (let index = 0; index < 24; index++) {
    const result = await upload(server, token, photos[index % photos.length]!, `seed-${index}.jpg`);
    if (result.body.data?.uploadImage?.__typename !== 'Image') throw new Error(`seeding failed: ${JSON.stringify(result.body)}`);
  }
  const page = await fetch(`${server.url}/`, { headers: { cookie: `pixpress_session=${token}` } });
  const pageHtml = await page.text();
  const withPage = page.status === 200 && existsSync(new URL('../site/dist', import.meta.url));
  console.log(
    `server pid ${pid} at ${server.url}; gallery page / answers ${page.status} (${pageHtml.length} bytes)${withPage ? '' : ': left out'}`,
  );

  const galleryRequest = {
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: GALLERY }),
  };

  // Baseline in the same run: the cheapest endpoint at the same concurrency.
  const baseline = await run({ url: `${server.url}/healthz`, connections: CLIENTS, duration: 5 });

  // Uploads with compressions at the same time, from a few workers, until the load stops.
  const writes = { uploads: 0, compressions: 0, deletes: 0, failures: 0, latencies: [] as number[], failureSamples: [] as string[] };
  let stopWrites = false;
  const writer = async (worker: number) => {
    const mine: string[] = [];
    for (let round = 0; !stopWrites; round++) {
      const started = performance.now();
      const uploaded = await upload(server, token, photos[(worker + round) % photos.length]!, `w${worker}-${round}.jpg`).catch(
        (error: Error) => ({ status: 0, body: { error: error.message } as Record<string, any> }),
      );
      const id = uploaded.body.data?.uploadImage?.id as string | undefined;
      if (!id) {
        writes.failures++;
        if (writes.failureSamples.length < 5) writes.failureSamples.push(JSON.stringify(uploaded.body).slice(0, 200));
        continue;
      }
      writes.uploads++;
      const format = ['WEBP', 'AVIF', 'JPEG'][round % 3];
      const compressed = await graphql(server, token, COMPRESS, { id, options: { width: 1024, quality: 70, format } }).catch(
        (error: Error) => ({
          status: 0,
          body: { error: `${error.message}: ${String((error.cause as Error | undefined)?.message ?? '')}` } as Record<string, any>,
        }),
      );
      if (compressed.body.data?.compressImage?.__typename === 'Compression') writes.compressions++;
      else {
        writes.failures++;
        if (writes.failureSamples.length < 5) writes.failureSamples.push(JSON.stringify(compressed.body).slice(0, 200));
      }
      writes.latencies.push(performance.now() - started);
      mine.push(id);
      // Keep the gallery the same size: delete the oldest of this worker's images.
      if (mine.length > 3) {
        const deleted = await graphql(server, token, DELETE, { id: mine.shift() }).catch(() => null);
        if (deleted?.body.data?.deleteImage?.__typename === 'Deleted') writes.deletes++;
        else writes.failures++;
      }
    }
  };

  const rss: Array<[number, number]> = [[0, await rssMb(pid)]];
  const started = Date.now();
  const sampler = setInterval(
    () => {
      void rssMb(pid).then((mb) => rss.push([Math.round((Date.now() - started) / 1000), mb]));
    },
    soak ? 10_000 : 5_000,
  );

  const writers = Array.from({ length: UPLOAD_WORKERS }, (_, worker) => writer(worker));
  const readers = [
    run({ url: `${server.url}/graphql`, connections: withPage ? CLIENTS / 2 : CLIENTS, duration: durationSeconds, ...galleryRequest }),
    ...(withPage
      ? [
          run({
            url: `${server.url}/`,
            connections: CLIENTS / 2,
            duration: durationSeconds,
            headers: { cookie: `pixpress_session=${token}` },
          }),
        ]
      : []),
  ];
  const [gallery, pageResult] = await Promise.all(readers);
  stopWrites = true;
  await Promise.all(writers);
  clearInterval(sampler);
  rss.push([Math.round((Date.now() - started) / 1000), await rssMb(pid)]);

  const sortedWrites = [...writes.latencies].sort((a, b) => a - b);
  const percentile = (values: number[], p: number) =>
    Math.round(values[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? 0);
  console.log(
    `\n${soak ? 'Soak' : 'Load'}: ${durationSeconds} s, ${CLIENTS} concurrent clients${withPage ? ' (100 on the gallery query, 100 on the gallery page)' : ' on the gallery query'}, ${UPLOAD_WORKERS} upload+compress workers`,
  );
  console.log(describe('baseline /healthz (5 s)', baseline));
  console.log(describe('gallery query', gallery!));
  if (pageResult) console.log(describe('gallery page /', pageResult));
  console.log(
    `upload+compress        ${writes.uploads} uploads, ${writes.compressions} compressions, ${writes.deletes} deletes, ${writes.failures} failures; upload+compress p50 ${percentile(sortedWrites, 50)} ms p99 ${percentile(sortedWrites, 99)} ms`,
  );
  for (const sample of writes.failureSamples) console.log(`  failure: ${sample}`);
  console.log(
    `ratios to baseline p50: gallery query ${(gallery!.latency.p50 / Math.max(1, baseline.latency.p50)).toFixed(1)}x${pageResult ? `, page ${(pageResult.latency.p50 / Math.max(1, baseline.latency.p50)).toFixed(1)}x` : ''}`,
  );
  const totalErrors = errorsOf(gallery!) + (pageResult ? errorsOf(pageResult) : 0) + writes.failures;
  console.log(`total errors: ${totalErrors}`);
  console.log(`RSS (MB) by second: ${rss.map(([second, mb]) => `${second}s ${mb.toFixed(0)}`).join(', ')}`);
  if (soak) {
    const firstMinute = rss.filter(([second]) => second >= 30 && second <= 90).map(([, mb]) => mb);
    const lastMinute = rss.filter(([second]) => second >= durationSeconds - 60).map(([, mb]) => mb);
    const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    console.log(
      `RSS: max ${Math.max(...rss.map(([, mb]) => mb)).toFixed(0)} MB; mean of 30-90 s ${average(firstMinute).toFixed(0)} MB, mean of the last minute ${average(lastMinute).toFixed(0)} MB (growth ${(((average(lastMinute) - average(firstMinute)) / average(firstMinute)) * 100).toFixed(1)} %)`,
    );
  }
  process.exitCode = totalErrors === 0 ? 0 : 1;
} finally {
  await server.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
}
