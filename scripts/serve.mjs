// `npm run serve` (and so `npm start`): the server, with glibc held to two malloc arenas.
//
// glibc gives a thread that allocates under contention a malloc arena of its own, and libvips'
// worker threads keep theirs between jobs: with two image jobs at once, eight concurrent 25 MB
// uploads peaked well above the memory goal with glibc's default and under it with two arenas
// (bench/memory.ts, figures in bench/RESULTS.md). glibc reads MALLOC_ARENA_MAX only when a process
// starts, so it must be in the environment before Node starts: on glibc, unless the operator set
// it, the server runs as this script's child, which passes signals on and exits with its code.
// The Dockerfile sets the variable itself, so the container runs the server directly.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const SERVER = new URL('../server.ts', import.meta.url);
const onGlibc = process.platform === 'linux' && Boolean(process.report?.getReport().header.glibcVersionRuntime);

if (!onGlibc || process.env.MALLOC_ARENA_MAX) {
  await import(SERVER.href);
} else {
  const server = spawn(process.execPath, [...process.execArgv, fileURLToPath(SERVER)], {
    stdio: 'inherit',
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  // The server stops gracefully on SIGTERM and SIGINT and ignores a repeat, so passing on a
  // signal the terminal also sent it does no harm.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => server.kill(signal));
  server.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
}
