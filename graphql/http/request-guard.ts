// Checks every request meets before it is routed (API, files and site alike): a Host this server
// answers to (DNS rebinding would otherwise let a web page drive a local instance), a bounded
// body for the site's forms, and a deadline for receiving a body. Multipart uploads to /graphql
// get the longer upload timeout (the server's requestTimeout) and their own byte limits.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestGuardOptions {
  /** Lower-case host names, with or without a port (without: any port). */
  allowedHosts: string[];
  /** Requests to the API and the site one client address may have in flight (0: no cap). */
  requestsInFlightPerAddress: number;
  addressOf(req: IncomingMessage): string;
  /** How long a request other than an upload may take to arrive whole. */
  requestTimeoutMs: number;
}

/** Site forms (log in, sign up, rename) are a few hundred bytes; 64 KiB leaves room for long tags. */
export const SITE_MAX_BODY_BYTES = 64 * 1024;

export type GuardVerdict = 'pass' | 'refused';

export interface GuardedRequest {
  /** A multipart upload: the longer UPLOAD_TIMEOUT_MS (the server's requestTimeout) applies. */
  isUpload: boolean;
  /** A site page or asset: form posts need a small declared length. */
  isSite: boolean;
  /** Counted against the per-address in-flight cap (the API and the site). */
  counted: boolean;
  /** Host checked (all but /healthz, which probes reach by whatever address they have). */
  checkHost: boolean;
}

export function createRequestGuard(options: RequestGuardOptions) {
  const inFlight = new Map<string, number>();
  const exact = new Set(options.allowedHosts.filter((host) => hasPort(host)));
  const anyPort = new Set(options.allowedHosts.filter((host) => !hasPort(host)));

  const hostAllowed = (header: string | undefined): boolean => {
    if (!header) return false;
    const host = header.trim().toLowerCase();
    if (exact.has(host) || anyPort.has(host)) return true;
    const withoutPort = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/.exec(host)?.[1];
    return withoutPort !== undefined && anyPort.has(withoutPort);
  };

  return function guard(req: IncomingMessage, res: ServerResponse, { isUpload, isSite, counted, checkHost }: GuardedRequest): GuardVerdict {
    if (checkHost && !hostAllowed(req.headers.host)) {
      refuse(res, 421, 'This server does not answer to that host name.\n');
      return 'refused';
    }
    // A client keeping more requests open than a browser ever would (6 per host) is refused before
    // its body is read: a flood of anonymous log-ins then costs a header parse each.
    if (counted && options.requestsInFlightPerAddress > 0) {
      const address = options.addressOf(req);
      const current = inFlight.get(address) ?? 0;
      if (current >= options.requestsInFlightPerAddress) {
        res.setHeader('retry-after', '1');
        refuse(res, 429, 'Too many requests in flight from your address.\n');
        return 'refused';
      }
      inFlight.set(address, current + 1);
      res.once('close', () => {
        const left = (inFlight.get(address) ?? 1) - 1;
        if (left <= 0) inFlight.delete(address);
        else inFlight.set(address, left);
      });
    }
    if (isSite && req.method !== 'GET' && req.method !== 'HEAD') {
      const declared = req.headers['content-length'];
      if (declared === undefined && req.headers['transfer-encoding'] !== undefined) {
        refuse(res, 411, 'Form posts need a Content-Length.\n');
        return 'refused';
      }
      if (Number(declared ?? 0) > SITE_MAX_BODY_BYTES) {
        refuse(res, 413, 'The form is too large.\n');
        return 'refused';
      }
    }
    if (!isUpload && !req.complete) {
      const timer = setTimeout(() => {
        if (req.complete) return;
        if (!res.headersSent) refuse(res, 408, 'The request took too long to arrive.\n');
        req.socket.destroy();
      }, options.requestTimeoutMs);
      timer.unref();
      res.once('close', () => clearTimeout(timer));
    }
    return 'pass';
  };
}

function hasPort(host: string): boolean {
  return /:\d{1,5}$/.test(host);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(message);
}
