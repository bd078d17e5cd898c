// The Node HTTP server's own defences, for server.ts (and any test that starts the real thing):
// deliberate header and request timeouts, checked often enough to matter, and a cap on the
// connections one address may hold open (2000 half-sent requests from one client were held
// before). Behind a trusted proxy every connection comes from the proxy: the cap leaves trusted
// proxies alone, and the proxy's own per-client limits apply (docs/operations.md, "Behind a reverse proxy").
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

export interface NodeServerLimits {
  headersTimeoutMs: number;
  /** The longest any request may take: the upload timeout (shorter ones are enforced per request). */
  uploadTimeoutMs: number;
  connectionsPerAddress: number;
}

export function nodeServerOptions(limits: NodeServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.uploadTimeoutMs,
    // Node checks both timeouts on this interval (30 s by default, which would triple a 10 s limit).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    keepAliveTimeout: 5000,
    // Header lines and bytes: Node's defaults (2000 lines, 16 KiB) stated where they are relied on.
    maxHeaderSize: 16 * 1024,
  };
}

/** Closes connections beyond `max` per remote address at once (0: no cap). */
export function capConnectionsPerAddress(server: Server, max: number, exempt: (address: string) => boolean): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (exempt(address)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
