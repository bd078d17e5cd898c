// A Pixpress API in its own process, for benchmarks: its peak RSS and event-loop delay are then
// its own, not the benchmark client's. Started by bench/lib/server.ts over IPC.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { createApp } from '../../graphql/app.ts';
import { loadConfig } from '../../graphql/config.ts';
import { tuneGarbageCollection } from '../../graphql/http/gc-tuning.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'pixpress-bench-'));
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  SEED_USER: '',
  ...(JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>),
  DATA_DIR: dataDir,
});
// As server.ts runs the API.
tuneGarbageCollection();
const app = await createApp(config);
const server = createServer((req, res) => {
  void app.handle(req, res).then((handled) => {
    if (!handled) res.writeHead(404).end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port, concurrency: config.imageConcurrency });
});

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

/** Peak resident set size of this process so far (the kernel's high-water mark), in bytes. */
function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

process.on('message', async (message: { type: string }) => {
  if (message.type === 'reset-loop') {
    loop.reset();
    process.send!({ type: 'reset-loop' });
  } else if (message.type === 'stats') {
    process.send!({
      type: 'stats',
      peakRss: peakRss(),
      rss: process.memoryUsage().rss,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
    });
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close();
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
});
