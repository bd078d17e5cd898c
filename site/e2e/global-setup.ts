// Starts the real server once for the whole run: `node server.ts` with the built site, a fresh
// temp DATA_DIR, a free port and the demo user Picky / test. Stops it and removes the data after.
// Specs that need other settings start their own the same way (startServer).
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer, type ChildServer } from '../../testkit/child-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * The real server on a fresh temp DATA_DIR and a free port, with `settings` added to its
 * environment (such as a short URL_TTL_SECONDS); its output goes to test-results/{logName}.log.
 */
export async function startServer(logName: string, settings: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(join(ROOT, 'site/dist/server/entry.mjs'))) {
    throw new Error('No built site: run `npm run build` first (npm test does).');
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'pixpress-e2e-'));
  await mkdir(join(ROOT, 'test-results'), { recursive: true });
  const log = createWriteStream(join(ROOT, `test-results/${logName}.log`));
  let server: ChildServer;
  try {
    server = await startChildServer(
      dataDir,
      // The caller's environment too (as before), then what this run needs on top of it.
      {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'production',
        SEED_USER: 'Picky:test',
        LOG_LEVEL: 'info',
        SIGNUPS_PER_ADDRESS_PER_HOUR: '1000',
        LOGIN_ATTEMPTS_PER_ADDRESS: '1000',
        GRAPHIQL: 'true',
        ...settings,
      },
      { output: log },
    );
  } catch (error) {
    throw new Error(`the server did not start; see test-results/${logName}.log (${(error as Error).message})`);
  }
  return {
    url: server.url,
    async stop() {
      const timer = setTimeout(() => void server.kill('SIGKILL'), 10_000);
      await server.kill('SIGTERM');
      clearTimeout(timer);
      log.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServer('e2e-server');
  process.env.PIXPRESS_E2E_URL = server.url;
  return () => server.stop();
}
