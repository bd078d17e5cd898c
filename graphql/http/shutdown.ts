// Graceful shutdown for the one HTTP server: stop accepting connections, let every request in
// flight finish (answering it with `Connection: close` so keep-alive clients go away), close
// connections as soon as they fall idle, and after `timeoutMs` cut whatever is left.
import type { Server, ServerResponse } from 'node:http';

export interface ShutdownResult {
  /** True when the timeout hit and open connections were cut. */
  forced: boolean;
  /** Requests still running when shutdown began. */
  inFlightAtStart: number;
}

export interface GracefulServer {
  readonly stopping: boolean;
  /** Resolves once the server has closed; call the app's close() after it. */
  stop(timeoutMs: number): Promise<ShutdownResult>;
}

/** How often connections that have just fallen idle are closed while draining. */
const IDLE_SWEEP_MS = 50;

export function makeGraceful(server: Server): GracefulServer {
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  // Before the app's handler, so the header is set before anything is written.
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (stopping) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  return {
    get stopping() {
      return stopping;
    },
    stop(timeoutMs) {
      stopping = true;
      const inFlightAtStart = inFlight.size;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      return new Promise((resolve) => {
        let forced = false;
        const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
        const deadline = setTimeout(() => {
          forced = true;
          server.closeAllConnections();
        }, timeoutMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(deadline);
          resolve({ forced, inFlightAtStart });
        });
        server.closeIdleConnections();
      });
    },
  };
}
