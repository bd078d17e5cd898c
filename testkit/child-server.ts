// The real server (`node server.ts`) as a child process on an ephemeral loopback port: the one way
// tests (graphql/tests), the browser tests (site/e2e/global-setup.ts) and the load bench start it.
// Killed with real signals, restarted over the same data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Parsed JSON log lines so far (pino writes one per line). */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose msg is `msg` (rejects if the process exits first). */
  waitForLog(msg: string): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

export interface ChildServerOptions {
  startTimeoutMs?: number;
  /** What to run instead of `node server.ts` (production.test.ts runs `npm run serve`). */
  command?: string[];
  /** Also copies the child's stdout and stderr here, as they come (the e2e run's server log). */
  output?: Writable;
}

/**
 * `env` goes on top of the defaults below; a variable given as undefined is left unset (to test
 * the server's own default, as production.test.ts does with NODE_ENV and SEED_USER).
 */
export async function startChildServer(
  dataDir: string,
  env: Record<string, string | undefined> = {},
  { startTimeoutMs = 30_000, command = [process.execPath, SERVER], output }: ChildServerOptions = {},
): Promise<ChildServer> {
  const merged: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SEED_USER: '',
    DATA_DIR: dataDir,
    ...env,
  };
  const childEnv = Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  if (output) {
    child.stdout!.pipe(output, { end: false });
    child.stderr!.pipe(output, { end: false });
  }
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waitForLog = (msg: string) => {
    const seen = logs.find((line) => line.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      waiters.push({ msg, resolve });
      void exited.then((code) => reject(new Error(`server exited (${code}) before logging "${msg}": ${stderr.slice(-2000)}`)));
    });
  };
  let buffered = '';
  // Set once the server is known to be up, by its log line or (fixed port) by /healthz.
  let ready = false;
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // With a fixed port and a quiet log level the line never comes, but /healthz answered.
      if (ready) return;
      // A server that never said it listens is not left running behind the caller.
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${startTimeoutMs} ms: ${stderr.slice(-2000)}`));
    }, startTimeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          for (const waiter of waiters.filter((candidate) => candidate.msg === entry.msg)) waiter.resolve(entry);
          if (entry.msg === 'Pixpress is listening') {
            clearTimeout(timer);
            resolve(String(entry.url).replace(/\/$/, ''));
          }
        } catch {
          // Not a log line.
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${stderr.slice(-2000)}`));
    });
  });
  // With a fixed port and a log level above info, readiness is seen on /healthz instead.
  const fixedPort = env.PORT && env.PORT !== '0' ? env.PORT : null;
  if (fixedPort) listening.catch(() => {});
  let url: string;
  try {
    url = fixedPort ? await pollHealthy(`http://127.0.0.1:${fixedPort}`, exited, startTimeoutMs) : await listening;
    ready = true;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    process: child,
    logs,
    waitForLog,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function pollHealthy(url: string, exited: Promise<unknown>, timeoutMs: number): Promise<string> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone) {
    const healthy = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return url;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server at ${url} did not become healthy`);
}

export async function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}
