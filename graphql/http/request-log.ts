// One structured JSON line per request, and the request-duration metric, from the same place.
// trackRequest() runs first for every request the process serves (API, files and site alike),
// gives it an id (the caller's X-Request-Id when it is sane, else a fresh one), echoes the id in
// the response, and writes the line when the response closes. A Yoga plugin fills in what only
// GraphQL knows: the operation name and the error codes.
//
// What is logged is an allow-list: method, path WITHOUT the query string (signed file URLs carry
// their signature there, and GET /graphql its variables), route, operation, status, duration and
// error codes. Never headers, bodies or variables, so tokens, passwords and cookies cannot leak.
//
// The metric's `operation` label is not the client's operation name (any anonymous client could
// fill the label space with names) but the first root field of the operation that was executed:
// a field of our schema, so the labels are ones the server knows, and few.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Ids from a proxy or client: short, and only characters that are safe in a log and a header. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export type Route = 'graphql' | 'graphiql' | 'files' | 'shares' | 'downloads' | 'healthz' | 'metrics' | 'site';

interface RequestRecord {
  id: string;
  route: Route;
  startedAt: bigint;
  operation: string | null;
  /** The executed operation's first root field (schema-bound), for the metric label. */
  rootField: string | null;
  errorCodes: Set<string>;
}

const records = new WeakMap<IncomingMessage, RequestRecord>();

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SANE_REQUEST_ID.test(value) ? value : randomUUID();
}

export interface RequestObserver {
  /** Call first thing for each request; the log line and metric follow when the response closes. */
  track(req: IncomingMessage, res: ServerResponse, route: Route): string;
  /** Records the operation name and error codes of /graphql requests. */
  yogaPlugin(): Plugin;
}

export function createRequestObserver(logger: Logger, metrics: Metrics): RequestObserver {
  return {
    track(req, res, route) {
      const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      const record: RequestRecord = {
        id,
        route,
        startedAt: process.hrtime.bigint(),
        operation: null,
        rootField: null,
        errorCodes: new Set(),
      };
      records.set(req, record);
      res.setHeader(REQUEST_ID_HEADER, id);
      res.once('close', () => {
        const seconds = Number(process.hrtime.bigint() - record.startedAt) / 1e9;
        // Closed before the response was complete: the client went away (nginx's 499).
        const aborted = !res.writableFinished;
        const status = aborted && !res.headersSent ? 499 : res.statusCode;
        const operation = route === 'graphql' ? (record.operation ?? 'anonymous') : route;
        metrics.observeRequest(route, route === 'graphql' ? (record.rootField ?? 'none') : operation, status, seconds);
        const line: Record<string, unknown> = {
          reqId: id,
          method: req.method,
          path: (req.url ?? '/').split('?')[0],
          route,
          status,
          durationMs: Math.round(seconds * 1e4) / 10,
        };
        if (route === 'graphql') line.operation = operation;
        if (record.errorCodes.size > 0) line.errors = [...record.errorCodes];
        if (aborted) line.aborted = true;
        logger.info(line, 'request');
      });
      return id;
    },

    yogaPlugin(): Plugin {
      const recordOf = (context: unknown) => {
        const req = (context as { req?: IncomingMessage } | undefined)?.req;
        return req ? records.get(req) : undefined;
      };
      return {
        // The name the client asked for; replaced below by the executed operation's own name.
        onParams({ params, context }) {
          const record = recordOf(context);
          if (record && typeof params.operationName === 'string' && GRAPHQL_NAME.test(params.operationName)) {
            record.operation = params.operationName;
          }
        },
        onExecute({ args }) {
          const record = recordOf(args.contextValue);
          if (!record) return;
          const executed = getOperationAST(args.document, args.operationName);
          record.operation = executed?.name?.value ?? 'anonymous';
          // Execution only starts on a valid document: every root field is one of the schema's.
          const first = executed?.selectionSet.selections.find((selection) => selection.kind === 'Field');
          record.rootField = first?.kind === 'Field' ? first.name.value : 'fragments';
        },
        onResultProcess({ request, result, serverContext }) {
          const record = recordOf(serverContext);
          const isUpload =
            request.method === 'POST' && (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
          for (const single of Array.isArray(result) ? result : [result]) {
            if (!single || typeof single !== 'object' || !('errors' in single)) continue;
            for (const error of single.errors ?? []) {
              const code = (error.extensions as { code?: unknown } | undefined)?.code;
              record?.errorCodes.add(typeof code === 'string' ? code : 'INTERNAL');
              // Refused while parsing the multipart body, before any resolver saw the file; the
              // resolver counts every later refusal (uploadImage in schema/image.ts).
              if (isUpload && code === RequestErrorCodes.PAYLOAD_TOO_LARGE && !single.data) metrics.uploadRefused('too_large');
            }
          }
        },
      };
    },
  };
}
