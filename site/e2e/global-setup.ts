// Starts the real server once for the whole run: `node server.ts` with the built site, a fresh
// temp DATA_DIR, a free port and the demo user Picky / test. Stops it and removes the data after.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForHealth(url: string, exited: () => string | null, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`the server exited before it was ready (${exit}); see test-results/e2e-server.log`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`the server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(ROOT, 'site/dist/server/entry.mjs'))) {
    throw new Error('No built site: run `npm run build` first (npm test does).');
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'pixpress-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await mkdir(join(ROOT, 'test-results'), { recursive: true });
  const log = createWriteStream(join(ROOT, 'test-results/e2e-server.log'));
  const server = spawn(process.execPath, ['server.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', SEED_USER: 'Picky:test', LOG_LEVEL: 'info', SIGNUPS_PER_ADDRESS_PER_HOUR: '1000', LOGIN_ATTEMPTS_PER_ADDRESS: '1000', GRAPHIQL: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  let exit: string | null = null;
  server.once('exit', (code, signal) => { exit = `code ${code}, signal ${signal}`; });
  try {
    await waitForHealth(url, () => exit);
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  process.env.PIXPRESS_E2E_URL = url;

  return async () => {
    if (exit === null) {
      const stopped = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await stopped;
      clearTimeout(timer);
    }
    log.end();
    await rm(dataDir, { recursive: true, force: true });
  };
}
