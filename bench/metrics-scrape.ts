// What a /metrics scrape costs as the store grows. The store gauges are computed at scrape time by
// walking every record (graphql/http/metrics.ts), which keeps them exact; this measures that walk
// against the same registry over an empty store, in the same run.
//
//   node bench/metrics-scrape.ts [images=100000] [compressionsPerImage=5]
import { performance } from 'node:perf_hooks';
import { createMetrics, type MetricSources } from '../graphql/http/metrics.ts';

const images = Number(process.argv[2] ?? 100_000);
const perImage = Number(process.argv[3] ?? 5);
const users = Math.max(1, Math.round(images / 10));
const ROUNDS = 30;

function storeOf(imageCount: number): MetricSources['store'] {
  const data: MetricSources['store']['data'] = { users: {}, images: {}, compressions: {} };
  for (let user = 0; user < (imageCount === 0 ? 0 : users); user++) data.users[`u${user}`] = {};
  for (let image = 0; image < imageCount; image++) {
    const user = `u${image % users}`;
    (data.images[user] ??= {})[`i${image}`] = { bytes: 2_000_000, thumbnailBytes: 30_000 };
    const compressions: Record<string, { bytes: number }> = {};
    for (let index = 0; index < perImage; index++) compressions[`c${image}-${index}`] = { bytes: 400_000 };
    data.compressions[`i${image}`] = compressions;
  }
  return { data };
}

/** Median milliseconds of one scrape (the text the endpoint would send). */
async function medianScrape(store: MetricSources['store']): Promise<number> {
  const metrics = createMetrics({ store, imageQueue: { waiting: 0, running: 0 } });
  const respond = () =>
    new Promise<void>((resolve) => {
      const res = { writeHead: () => res, end: () => resolve() };
      void metrics.handle({ method: 'GET' } as never, res as never);
    });
  for (let warm = 0; warm < 3; warm++) await respond();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    await respond();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const empty = await medianScrape(storeOf(0));
const full = await medianScrape(storeOf(images));
console.log(`metrics scrape, median of ${ROUNDS}:`);
console.log(`  empty store                                  ${empty.toFixed(2)} ms (baseline)`);
console.log(`  ${images} images, ${images * perImage} compressions, ${users} users   ${full.toFixed(2)} ms (${(full / empty).toFixed(1)}x baseline)`);
