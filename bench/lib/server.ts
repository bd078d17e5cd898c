// Starts bench/lib/serve-child.ts and talks to it: GraphQL over real HTTP, stats over IPC.
// Not testkit/child-server.ts (node server.ts): the benches need the server process's own peak RSS
// and event-loop delay, which only an IPC channel into a process running createApp can report.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface ServerStats {
  peakRss: number;
  rss: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface BenchServer {
  url: string;
  /** The server process's pid (its CPU time: bench/lib/cpu.ts). */
  pid: number;
  concurrency: number;
  token: string;
  /** A GraphQL multipart request with one file at variables.file. */
  upload(query: string, variables: Record<string, unknown>, file: Uint8Array, filename: string): Promise<any>;
  gql(query: string, variables?: Record<string, unknown>): Promise<any>;
  stats(): Promise<ServerStats>;
  resetLoopDelay(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const child: ChildProcess = fork(new URL('./serve-child.ts', import.meta.url), {
    // As `npm start` runs the server (scripts/serve.mjs): two glibc malloc arenas unless set.
    env: { MALLOC_ARENA_MAX: '2', ...process.env, BENCH_ENV: JSON.stringify(env) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ port: number; concurrency: number }];
  const url = `http://127.0.0.1:${ready.port}`;
  const ask = async <T>(type: string): Promise<T> => {
    child.send({ type });
    for (;;) {
      const [reply] = (await once(child, 'message')) as [{ type: string } & T];
      if (reply.type === type) return reply;
    }
  };
  const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
  const signUp = await gql(`mutation { signUp(username: "bench", password: "bench password 1") { ... on AuthPayload { token } } }`);
  const token: string = signUp.data.signUp.token;
  return {
    url,
    pid: child.pid!,
    concurrency: ready.concurrency,
    token,
    gql: (query, variables) => gql(query, variables, token),
    upload: (query, variables, file, filename) => postMultipart(`${url}/graphql`, token, query, variables, file, filename),
    stats: () => ask<ServerStats>('stats'),
    async resetLoopDelay() {
      await ask('reset-loop');
    },
    async stop() {
      child.send({ type: 'stop' });
      await once(child, 'exit');
    },
  };
}

/**
 * A GraphQL multipart request written straight from the file's bytes. fetch() with FormData copies
 * a 16 MB file three times on its way out (tens of ms of CPU per request; bench/RESULTS.md); the
 * client shares the cores with the server it measures, so its cost would count against the server.
 */
async function postMultipart(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  file: Uint8Array,
  filename: string,
): Promise<any> {
  const boundary = `----pixpress-bench-${randomUUID()}`;
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('operations', JSON.stringify({ query, variables: { ...variables, file: null } })) +
      field('map', JSON.stringify({ 0: ['variables.file'] })) +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const request = httpRequest(url, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + file.length + tail.length,
      'x-graphql-yoga-csrf': '1',
      authorization: `Bearer ${token}`,
    },
  });
  request.write(head);
  request.write(file);
  request.end(tail);
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Runs `jobs` calls of `job`, `inFlight` at a time; returns the wall time in ms. */
export async function runConcurrently(jobs: number, inFlight: number, job: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < jobs) await job(next++);
    }),
  );
  return performance.now() - start;
}

export const PHOTO = '/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg';

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
