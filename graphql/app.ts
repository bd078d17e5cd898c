// Builds everything a Pixpress process serves, without listening: tests drive the returned
// handler with real HTTP on an ephemeral port, server.ts puts it (and the site) on the real one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createGraphQLError, createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import sharp from 'sharp';
import pino, { type DestinationStream, type Logger } from 'pino';
import { createUser } from './auth/accounts.ts';
import { PasswordHasher } from './auth/passwords.ts';
import { MemoryRateLimiter, rateLimiterOn } from './auth/rate-limit.ts';
import { LoginThrottle } from './auth/throttle.ts';
import { sessionFromToken } from './auth/sessions.ts';
import { deriveKey } from './auth/tokens.ts';
import type { Context } from './builder.ts';
import type { Config } from './config.ts';
import { PixpressError, ValidationError } from './errors.ts';
import { createClientAddressing, type ClientAddressing } from './http/client-address.ts';
import { createMetrics, METRICS_PATH } from './http/metrics.ts';
import { createDiskSpace } from './health/disk-space.ts';
import { createGraphiQLAssets, GRAPHIQL_ASSETS_PREFIX, renderLocalGraphiQL } from './http/graphiql.ts';
import { createRequestGuard } from './http/request-guard.ts';
import { useDiskFloor } from './http/use-disk-floor.ts';
import { ResponseBudget } from './http/response-budget.ts';
import { securityHeaders } from './http/security-headers.ts';
import { useImageJobs } from './http/use-image-jobs.ts';
import { createRequestObserver, type Route } from './http/request-log.ts';
import { createFileHandler } from './http/serve-file.ts';
import { createFileUrls } from './http/file-urls.ts';
import { createUrlSigner, FILES_PREFIX } from './http/signed-urls.ts';
import { useStreamingUploads } from './http/uploads.ts';
import { useBodyLimit } from './http/use-body-limit.ts';
import { CSRF_HEADERS, useNonEmptyCsrfHeader } from './http/use-csrf-header.ts';
import { ImageJobTimeoutError, ImageQueue, QueueFullError } from './imaging/queue.ts';
import { SsimPool } from './imaging/ssim-pool.ts';
import { schema } from './schema/index.ts';
import { RequestErrorCodes } from './shared/error-codes.ts';
import { GRAPHQL_PATH, SESSION_COOKIE } from './shared/http.ts';
import type { Services } from './services.ts';
import { createLoaders } from './store/loaders.ts';
import { StorageFullError, StorageUnavailableError, type HealthCheck } from './store/ports.ts';
import { openStorage } from './store/open.ts';
import { sweepStorage } from './store/sweep.ts';

const MAX_JSON_BODY_BYTES = 1024 * 1024;

export interface App {
  services: Services;
  /** The caller's address (TRUST_PROXY applied), for the server and the site too. */
  addressing: ClientAddressing;
  logger: Logger;
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  /**
   * Serves /graphql, /files/…, /healthz and /metrics; returns false (having sent nothing) for
   * any other path, which the caller hands on to the site.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Waits for image work in flight and the last database write, then closes the storage backends. */
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** Where the app's own logger writes (stdout when unset); tests read the log lines from here. */
  logStream?: DestinationStream;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel, redact: LOG_REDACTIONS }, options.logStream);
  const storage = await openStorage(config, logger);
  const { records, blobs } = storage;
  // libvips keeps recent operations' results (up to 50 MB and 20 open files) for re-use; a
  // server never repeats an operation on the same image, so the cache only costs memory
  // (bench/memory.ts: peak RSS of 8 concurrent 25 MB compressions fell from 487 to ~330 MiB).
  sharp.cache(false);
  const imageQueue = new ImageQueue({
    concurrency: config.imageConcurrency,
    maxWaiting: config.imageQueueSize,
    jobTimeoutMs: config.imageJobTimeoutMs,
    runningPerOwner: config.imageJobsRunningPerUser,
    waitingPerOwner: config.imageJobsWaitingPerUser,
  });
  const metrics = createMetrics({ records, imageQueue });
  const requests = createRequestObserver(logger, metrics);
  const addressing = createClientAddressing(config.trustProxy);
  const signer = createUrlSigner(deriveKey(config.secret, 'file-url'), config.urlTtlSeconds);
  const disk = createDiskSpace(config.dataDir, config.minFreeDiskBytes);
  const services: Services = {
    config,
    records,
    blobs,
    rateCounters: storage.rateCounters,
    fileUrls: createFileUrls(blobs, signer, config.fileUrls, config.urlTtlSeconds),
    signer,
    passwords: new PasswordHasher({ cost: config.bcryptCost, workers: config.passwordWorkers, maxWaiting: config.passwordQueueSize }),
    loginThrottle: new LoginThrottle(storage.rateCounters),
    rateLimiter: rateLimiterOn(storage.rateCounters),
    decodeLimiter: new MemoryRateLimiter(),
    imageQueue,
    ssim: new SsimPool(config.imageConcurrency),
    metrics,
    tokenKey: deriveKey(config.secret, 'access-token'),
  };

  const sweep = async (atStart: boolean) => {
    // With one process on the data, files no record names are leftovers at once; with several
    // instances, they may be another instance's upload between its file and its record.
    const graceMs = storage.exclusive ? 0 : SWEEP_GRACE_MS;
    const report = await records.exclusively('sweep', () => sweepStorage(records, blobs, { graceMs, clearScratch: atStart }));
    if (!report) return;
    if (report.scratchFilesRemoved + report.orphanFilesRemoved.length + report.imagesWithoutFiles.length + report.compressionsWithoutFiles.length > 0) {
      logger.warn({ sweep: report }, atStart ? 'start-up sweep repaired the data folder' : 'sweep repaired the storage');
    } else if (atStart) {
      logger.info('start-up sweep found nothing to repair');
    }
  };
  try {
    await sweep(true);
    if (storage.isNew && config.seedUser) {
      await createUser(services, config.seedUser.username, config.seedUser.password);
      logger.info({ username: config.seedUser.username }, 'created the seeded user');
    }
    await storage.afterSeeding();
  } catch (error) {
    await Promise.allSettled([records.close(), blobs.close()]);
    throw error;
  }
  // Later sweeps only matter with several instances (one of them may have died mid-upload).
  const sweepTimer = storage.exclusive
    ? null
    : setInterval(() => sweep(false).catch((error: unknown) => logger.error({ err: error }, 'sweep failed')), SWEEP_INTERVAL_MS).unref();

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // Same origin only: the site and the API share one. Yoga's default would reflect any Origin.
    cors: false,
    multipart: false,
    maxRequestBodySize: false,
    logging: logger.child({ component: 'yoga' }),
    landingPage: false,
    // Off in production unless GRAPHIQL=true; its code comes from this server (http/graphiql.ts).
    graphiql: config.graphiql
      ? {
          title: 'Pixpress GraphQL',
          headers: JSON.stringify({ Authorization: 'Bearer <token from logIn>' }),
          defaultQuery: graphiqlDefaultQuery(config.production ? null : config.seedUser),
        }
      : false,
    renderGraphiQL: renderLocalGraphiQL,
    maskedErrors: {
      isDev: false,
      // Yoga's own masking (intended GraphQLErrors pass, the rest become "Unexpected error."
      // and are logged), except for expected failures: a typed error thrown from a field that has
      // no result union (a bad cursor) keeps its code, and a full image queue says so.
      maskError(error, message) {
        const graphQLError = error as GraphQLError;
        // Errors from building the context (the session's lookups) arrive unwrapped.
        const original = graphQLError.originalError ?? error;
        const location = { nodes: graphQLError.nodes, path: graphQLError.path };
        if (original instanceof PixpressError) {
          const field = original instanceof ValidationError ? { field: original.field } : {};
          return createGraphQLError(original.message, { ...location, extensions: { code: original.code, ...field } });
        }
        if (original instanceof QueueFullError) {
          return createGraphQLError(original.message, { ...location, extensions: { code: RequestErrorCodes.SERVER_BUSY, http: { status: 503 } } });
        }
        if (original instanceof StorageFullError) {
          return createGraphQLError(original.message, { ...location, extensions: { code: RequestErrorCodes.STORAGE_FULL, http: { status: 507 } } });
        }
        if (original instanceof StorageUnavailableError) {
          // The cause (a host name, a bucket) is for the operator's log, not the client.
          logger.error({ err: original }, 'storage backend unavailable');
          return createGraphQLError('Storage is unavailable right now; nothing was changed. Try again shortly.', {
            ...location,
            extensions: { code: RequestErrorCodes.SERVER_BUSY, http: { status: 503 } },
          });
        }
        if (original instanceof ImageJobTimeoutError) {
          return createGraphQLError(original.message, { ...location, extensions: { code: RequestErrorCodes.IMAGE_TIMEOUT, http: { status: 503 } } });
        }
        return maskError(error, message, false);
      },
    },
    plugins: [
      requests.yogaPlugin(),
      useNonEmptyCsrfHeader(),
      useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
      useBodyLimit(MAX_JSON_BODY_BYTES),
      useImageJobs({ previewTimeoutMs: config.previewTimeoutMs }),
      useDiskFloor(disk),
      useStreamingUploads({ maxBytes: config.maxUploadBytes, maxPixels: config.maxInputPixels }),
      EnvelopArmorPlugin({
        maxDepth: { n: 10 },
        maxAliases: { n: 20 },
        maxTokens: { n: 2000 },
        maxDirectives: { n: 20 },
        costLimit: { maxCost: 5000 },
        blockFieldSuggestion: { enabled: true },
      }),
    ],
    context: async ({ request, req }: { request: Request; req?: IncomingMessage }) => {
      const loaders = createLoaders(records);
      const session = await sessionFromToken(tokenOf(request), services.tokenKey, records, loaders);
      return {
      services,
      loaders,
      session,
      userId: session?.userId ?? null,
      clientAddress: req ? addressing.addressOf(req) : 'unknown',
      budget: new ResponseBudget(),
      };
    },
  });

  const serveFile = createFileHandler(blobs, services.signer);
  const graphiqlAssets = createGraphiQLAssets();
  const guard = createRequestGuard({
    allowedHosts: config.allowedHosts,
    requestTimeoutMs: config.requestTimeoutMs,
    requestsInFlightPerAddress: config.requestsInFlightPerAddress,
    addressOf: addressing.addressOf,
  });
  /** Requests being handled, for close(). */
  const handling = new Set<Promise<boolean>>();

  return {
    services,
    addressing,
    logger,
    yoga,
    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0]!;
      // Every request gets an id and a log line, including the site's (logged when it closes).
      const routeName = routeOf(path, config.graphiql);
      requests.track(req, res, routeName);
      for (const [name, value] of Object.entries(securityHeaders(routeName))) res.setHeader(name, value);
      const isUpload = routeName === 'graphql' && req.method === 'POST' && /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
      const verdict = guard(req, res, {
        isUpload,
        isSite: routeName === 'site',
        counted: routeName === 'graphql' || routeName === 'site',
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
    async close() {
      // Requests whose connections were cut (the shutdown timeout) are still unwinding: their
      // resolvers delete partial files and release quota slots. Let them finish, within reason.
      await settledWithin([...handling], CLOSE_SETTLE_MS);
      if (sweepTimer) clearInterval(sweepTimer);
      await services.imageQueue.idle();
      await services.ssim.close();
      await services.passwords.close();
      await Promise.all([records.close(), blobs.close()]);
    },
  };

  async function route(routeName: Route, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (routeName) {
      case 'graphql':
        await yoga(req, res);
        return true;
      case 'files':
        await serveFile(req, res);
        return true;
      case 'graphiql':
        await graphiqlAssets(req, res);
        return true;
      case 'healthz': {
        const [recordHealth, blobHealth, reading] = await Promise.all([
          checkHealth(() => records.health()),
          checkHealth(() => blobs.health()),
          disk.read().catch(() => null),
        ]);
        // The data folder's disk (uploads land there first, whatever the backends) below its floor.
        const diskHealth = reading === null ? { ok: false, state: 'unknown' } : { ok: !reading.low, state: reading.low ? 'low' : 'ok', freeBytes: reading.freeBytes, minFreeBytes: reading.minFreeBytes };
        const healthy = recordHealth.ok && blobHealth.ok && diskHealth.ok;
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable', records: recordHealth, files: blobHealth, disk: diskHealth }));
        return true;
      }
      case 'metrics':
        await metrics.handle(req, res);
        return true;
      default:
        return false;
    }
  }
}

/** How often a multi-instance deployment sweeps, and how old an unnamed file must be to go. */
const SWEEP_INTERVAL_MS = 60 * 60_000;
const SWEEP_GRACE_MS = 60 * 60_000;

/** A health check that throws or hangs counts as a failed one; /healthz answers within a few seconds. */
async function checkHealth(check: () => Promise<HealthCheck>): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheck>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, status: 'timeout' }), HEALTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((error: unknown) => ({ ok: false, status: 'error', detail: { error: (error as Error).message } })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const HEALTH_TIMEOUT_MS = 3_000;

/** How long close() waits for request handlers still running. */
const CLOSE_SETTLE_MS = 2000;

async function settledWithin(work: Array<Promise<unknown>>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.allSettled(work), timeout]);
  clearTimeout(timer);
}

function routeOf(path: string, graphiql: boolean): Route {
  if (path === GRAPHQL_PATH) return 'graphql';
  if (graphiql && path.startsWith(GRAPHIQL_ASSETS_PREFIX)) return 'graphiql';
  if (path.startsWith(FILES_PREFIX)) return 'files';
  if (path === '/healthz') return 'healthz';
  if (path === METRICS_PATH) return 'metrics';
  return 'site';
}

/**
 * Belt and braces: request lines are built from an allow-list (http/request-log.ts), but should
 * anything ever log a request, headers or credentials, pino blanks these before writing.
 */
const LOG_REDACTIONS = [
  'password',
  'token',
  'secret',
  'authorization',
  'cookie',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'req.headers',
  'headers.authorization',
  'headers.cookie',
  'variables',
  '*.variables',
];

/** The demo user's credentials appear only outside production; elsewhere, placeholders. */
const graphiqlDefaultQuery = (demo: { username: string; password: string } | null) => `# Log in, copy the token into the Authorization header below, then run the other operations.
mutation LogIn {
  logIn(username: ${JSON.stringify(demo?.username ?? 'your-username')}, password: ${JSON.stringify(demo?.password ?? 'your-password')}) {
    ... on AuthPayload { token expiresAt }
    ... on Error { code message }
  }
}

query Gallery {
  me { username usage { images maxImages files maxFiles bytes } }
  images(first: 10) { totalCount edges { node { id name width height bytes url } } }
}
`;

/**
 * A bearer token when the Authorization header holds one, else the site's session cookie (so
 * GraphiQL's placeholder header does not sign out someone logged in on the site). An invalid
 * token means signed out; it never falls back to the cookie.
 */
function tokenOf(request: Request): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  return bearer ?? readCookie(request.headers.get('cookie'), SESSION_COOKIE);
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    // A value that is not valid percent-encoding (a lone `%`) is no session: signed out, not a 500.
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
