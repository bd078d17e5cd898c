// The one Yoga instance: the schema, its endpoint, error masking and the plugins every GraphQL
// request passes through (request log, CSRF, body and upload limits, image jobs, disk floor,
// query-shape limits). It does not listen; App.handle hands it the /graphql requests.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Context } from './builder.ts';
import type { Config } from './config.ts';
import type { DiskSpace } from './health/disk-space.ts';
import { graphiqlOptions, renderLocalGraphiQL } from './http/graphiql.ts';
import { createErrorMasker } from './http/mask-errors.ts';
import type { createRequestContext } from './http/request-context.ts';
import type { RequestObserver } from './http/request-log.ts';
import { useStreamingUploads } from './http/uploads.ts';
import { useBodyLimit } from './http/use-body-limit.ts';
import { CSRF_HEADERS, useNonEmptyCsrfHeader } from './http/use-csrf-header.ts';
import { useDiskFloor } from './http/use-disk-floor.ts';
import { useImageJobs } from './http/use-image-jobs.ts';
import { schema } from './schema/index.ts';
import { GRAPHQL_PATH } from './shared/http.ts';

export type PixpressYoga = YogaServerInstance<Record<string, unknown>, Context>;

const MAX_JSON_BODY_BYTES = 1024 * 1024;

export interface YogaOptions {
  config: Config;
  logger: Logger;
  requests: RequestObserver;
  disk: DiskSpace;
  /** Builds each request's context: its user and address. */
  context: ReturnType<typeof createRequestContext>;
}

export function createPixpressYoga({ config, logger, requests, disk, context }: YogaOptions): PixpressYoga {
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // Same origin only: the site and the API share one. Yoga's default would reflect any Origin.
    cors: false,
    multipart: false,
    maxRequestBodySize: false,
    logging: logger.child({ component: 'yoga' }),
    landingPage: false,
    // Off in production unless GRAPHIQL=true; its code comes from this server (http/graphiql.ts).
    graphiql: config.graphiql ? graphiqlOptions(config.production ? null : config.seedUser) : false,
    renderGraphiQL: renderLocalGraphiQL,
    maskedErrors: { isDev: false, maskError: createErrorMasker(logger) },
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
    context,
  });
}
