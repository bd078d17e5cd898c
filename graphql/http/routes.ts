// What App.handle does with each request: an id and a log line, security headers, the request
// guard (host, time, in-flight limits), then the route: /graphql to Yoga, /files/… to the signed
// file handler, /s/… to share links, /downloads/zip to the ZIP of a selection, GraphiQL's assets, /healthz and /metrics. Any other path is the site's: false.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { DiskSpace } from '../health/disk-space.ts';
import { createHealthHandler } from '../health/healthz.ts';
import type { Services } from '../services.ts';
import { GRAPHQL_PATH } from '../shared/http.ts';
import type { PixpressYoga } from '../yoga.ts';
import type { ClientAddressing } from './client-address.ts';
import { createGraphiQLAssets, GRAPHIQL_ASSETS_PREFIX } from './graphiql.ts';
import { METRICS_PATH } from './metrics.ts';
import { createRequestGuard } from './request-guard.ts';
import type { RequestObserver, Route } from './request-log.ts';
import { securityHeaders } from './security-headers.ts';
import { SHARE_PREFIX } from '../sharing/share-tokens.ts';
import { createFileHandler } from './serve-file.ts';
import { createShareHandler } from './serve-share.ts';
import { FILES_PREFIX } from './signed-urls.ts';
import { createZipHandler, ZIP_PATH } from './serve-zip.ts';

export interface HttpRoutesOptions {
  config: Config;
  services: Services;
  yoga: PixpressYoga;
  requests: RequestObserver;
  addressing: ClientAddressing;
  disk: DiskSpace;
}

export interface HttpRoutes {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Waits (at most `ms`) for the requests still being handled, such as ones whose connection was cut. */
  settle(ms: number): Promise<void>;
}

export function createHttpRoutes({ config, services, yoga, requests, addressing, disk }: HttpRoutesOptions): HttpRoutes {
  const serveFile = createFileHandler(services.blobs, services.signer);
  const serveShare = createShareHandler(services.records, services.blobs, services.shareTokens);
  const serveZip = createZipHandler(services, addressing);
  const graphiqlAssets = createGraphiQLAssets();
  const serveHealth = createHealthHandler(services.records, services.blobs, disk);
  const guard = createRequestGuard({
    allowedHosts: config.allowedHosts,
    requestTimeoutMs: config.requestTimeoutMs,
    requestsInFlightPerAddress: config.requestsInFlightPerAddress,
    addressOf: addressing.addressOf,
  });
  /** Requests being handled, for settle(). */
  const handling = new Set<Promise<boolean>>();

  async function route(routeName: Route, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (routeName) {
      case 'graphql':
        await yoga(req, res);
        return true;
      case 'files':
        await serveFile(req, res);
        return true;
      case 'shares':
        await serveShare(req, res);
        return true;
      case 'downloads':
        await serveZip(req, res);
        return true;
      case 'graphiql':
        await graphiqlAssets(req, res);
        return true;
      case 'healthz':
        await serveHealth(res);
        return true;
      case 'metrics':
        await services.metrics.handle(req, res);
        return true;
      default:
        return false;
    }
  }

  return {
    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0]!;
      // Every request gets an id and a log line, including the site's (logged when it closes).
      const routeName = routeOf(path, config.graphiql);
      requests.track(req, res, routeName);
      for (const [name, value] of Object.entries(securityHeaders(routeName))) res.setHeader(name, value);
      const isUpload = routeName === 'graphql' && req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
      const verdict = guard(req, res, {
        isUpload,
        isSite: routeName === 'site' || routeName === 'downloads',
        counted: routeName === 'graphql' || routeName === 'site' || routeName === 'shares' || routeName === 'downloads',
        checkHost: routeName !== 'healthz',
      });
      if (verdict === 'refused') return true;
      const work = route(routeName, req, res);
      handling.add(work);
      try {
        return await work;
      } finally {
        handling.delete(work);
      }
    },
    async settle(ms) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
      await Promise.race([Promise.allSettled([...handling]), timeout]);
      clearTimeout(timer);
    },
  };
}

export function routeOf(path: string, graphiql: boolean): Route {
  if (path === GRAPHQL_PATH) return 'graphql';
  if (graphiql && path.startsWith(GRAPHIQL_ASSETS_PREFIX)) return 'graphiql';
  if (path.startsWith(FILES_PREFIX)) return 'files';
  if (path.startsWith(SHARE_PREFIX)) return 'shares';
  if (path === ZIP_PATH) return 'downloads';
  if (path === '/healthz') return 'healthz';
  if (path === METRICS_PATH) return 'metrics';
  return 'site';
}
