// Anonymous log-in floods (issue 12, point 1): 100 log-ins in flight at all times with random
// usernames, from one address and from 100 addresses (X-Forwarded-For behind a trusted proxy), while
// a signed-in user asks for its gallery and /healthz is polled. Prints each probe's median and p95
// latency as a ratio to the same probe on the idle server, measured in the same run, and how the
// flood was answered (checked against a hash, or refused with 429) and how fast. The flood runs in
// a worker thread, so the probes' timings are not the flood client's own event loop.
//   node bench/anonymous-flood.ts [seconds per phase]
import { Agent, request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startBenchServer } from './lib/server.ts';

const SECONDS = Number(process.argv[2] ?? 8);
const IN_FLIGHT = 100;
const GALLERY = '{ me { username usage { images } } images(first: 24) { totalCount edges { node { id name } } } }';
const LOG_IN = 'mutation($u: String!, $p: String!) { logIn(username: $u, password: $p) { __typename ... on Error { code } } }';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const server: { url: string; token: string; stop(): Promise<void> } = isMainThread
  ? await startBenchServer({ TRUST_PROXY: 'loopback' })
  : { url: (workerData as { url: string }).url, token: '', stop: async () => {} };
/** The probe's own address (behind the trusted loopback proxy), never one the flood uses. */
const PROBE_ADDRESS = '203.0.113.250';

function post(body: string, headers: Record<string, string> = {}): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/graphql`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(path: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(`${server.url}${path}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    })
      .on('error', reject)
      .end();
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
};

/** Probes the gallery query and /healthz one after another for `seconds`. */
async function probe(seconds: number): Promise<{ gallery: number[]; health: number[] }> {
  const gallery: number[] = [];
  const health: number[] = [];
  const until = performance.now() + seconds * 1000;
  const galleryBody = JSON.stringify({ query: GALLERY });
  while (performance.now() < until) {
    gallery.push((await post(galleryBody, { authorization: `Bearer ${server.token}`, 'x-forwarded-for': PROBE_ADDRESS })).ms);
    health.push(await get('/healthz'));
  }
  return { gallery, health };
}

/** Keeps IN_FLIGHT log-ins going until stopped; tallies how they were answered. */
function flood(addressOf: (index: number) => string | null) {
  let running = true;
  let sent = 0;
  const outcomes = new Map<string, number[]>();
  const lane = async (laneIndex: number) => {
    while (running) {
      const index = sent++;
      const address = addressOf(laneIndex);
      const body = JSON.stringify({
        query: LOG_IN,
        variables: { u: `flood${index}x${Math.random().toString(36).slice(2, 8)}`, p: 'password1' },
      });
      const result = await post(body, address ? { 'x-forwarded-for': address } : {}).catch(() => ({ ms: 0, status: 0, text: '{}' }));
      let parsed: { data?: { logIn?: { code?: string } }; errors?: Array<{ extensions?: { code?: string } }> } = {};
      try {
        parsed = JSON.parse(result.text || '{}');
      } catch {
        // Refused before GraphQL (the per-address in-flight cap answers in plain text).
      }
      const code = parsed.data?.logIn?.code ?? parsed.errors?.[0]?.extensions?.code ?? `HTTP_${result.status}`;
      outcomes.set(code, [...(outcomes.get(code) ?? []), result.ms]);
    }
  };
  const lanes = Array.from({ length: IN_FLIGHT }, (_, index) => lane(index));
  return {
    async stop() {
      running = false;
      await Promise.all(lanes);
      return outcomes;
    },
  };
}

if (!isMainThread) {
  // The flood's side: run until told to stop, then send the tally back.
  const { spread } = workerData as { spread: boolean };
  const running = flood(spread ? (lane) => `198.51.${100 + (lane >> 8)}.${lane & 255}` : () => null);
  parentPort!.once('message', async () => {
    const outcomes = await running.stop();
    parentPort!.postMessage([...outcomes]);
    agent.destroy();
  });
}

/** Starts the flood in a worker; stop() ends it and returns the tally. */
function floodInWorker(spread: boolean) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { url: server.url, spread } });
  return {
    async stop(): Promise<Map<string, number[]>> {
      worker.postMessage('stop');
      const tally = await new Promise<Array<[string, number[]]>>((resolve) => worker.once('message', resolve));
      await worker.terminate();
      return new Map(tally);
    },
  };
}

const format = (ms: number) => `${ms.toFixed(1)} ms`;
function report(name: string, idle: { gallery: number[]; health: number[] }, loaded: { gallery: number[]; health: number[] }) {
  for (const key of ['gallery', 'health'] as const) {
    const [idleMedian, loadedMedian] = [percentile(idle[key], 50), percentile(loaded[key], 50)];
    const [idleP95, loadedP95] = [percentile(idle[key], 95), percentile(loaded[key], 95)];
    console.log(
      `${name.padEnd(22)} ${key.padEnd(8)} median ${format(loadedMedian).padStart(9)} (${(loadedMedian / idleMedian).toFixed(2)}x idle)` +
        `  p95 ${format(loadedP95).padStart(9)} (${(loadedP95 / idleP95).toFixed(2)}x idle)  n=${loaded[key].length}`,
    );
  }
}
function reportFlood(outcomes: Map<string, number[]>) {
  for (const [code, times] of outcomes) {
    console.log(
      `${''.padEnd(22)} flood    ${code.padEnd(20)} ${String(times.length).padStart(6)}  median ${format(percentile(times, 50))}`,
    );
  }
}

if (isMainThread) {
  // Warm up: JIT, the password pool's workers and the dummy hash.
  await probe(1);
  await post(JSON.stringify({ query: LOG_IN, variables: { u: 'warmup', p: 'password1' } }), { 'x-forwarded-for': '192.0.2.1' });
  const idle = await probe(SECONDS);
  console.log(
    `idle: gallery median ${format(percentile(idle.gallery, 50))}, /healthz median ${format(percentile(idle.health, 50))}; ${IN_FLIGHT} log-ins in flight per flood, ${SECONDS} s per phase`,
  );

  const oneAddress = floodInWorker(false);
  const underOne = await probe(SECONDS);
  const oneOutcomes = await oneAddress.stop();
  report('one address', idle, underOne);
  reportFlood(oneOutcomes);

  const manyAddresses = floodInWorker(true);
  const underMany = await probe(SECONDS);
  const manyOutcomes = await manyAddresses.stop();
  report('100 addresses', idle, underMany);
  reportFlood(manyOutcomes);

  agent.destroy();
  await server.stop();
}
