// Yoga's own masking (intended GraphQLErrors pass, the rest become "Unexpected error." and are
// logged), except for expected failures: a typed error thrown from a field that has no result
// union (a bad cursor) keeps its code, and a full image queue or a full or absent store says so.
import type { GraphQLError } from 'graphql';
import { createGraphQLError, maskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import { PixpressError, ValidationError } from '../errors.ts';
import { ImageJobCancelledError, ImageJobTimeoutError, QueueFullError } from '../imaging/queue.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';
import { StorageFullError, StorageUnavailableError } from '../store/ports.ts';

export function createErrorMasker(logger: Logger) {
  return function maskPixpressError(error: unknown, message: string): Error {
    const graphQLError = error as GraphQLError;
    // Errors from building the context (the session's lookups) arrive unwrapped.
    const original = graphQLError.originalError ?? error;
    const location = { nodes: graphQLError.nodes, path: graphQLError.path };
    if (original instanceof PixpressError) {
      const field = original instanceof ValidationError ? { field: original.field } : {};
      return createGraphQLError(original.message, { ...location, extensions: { code: original.code, ...field } });
    }
    if (original instanceof QueueFullError) {
      return createGraphQLError(original.message, {
        ...location,
        extensions: { code: RequestErrorCodes.SERVER_BUSY, http: { status: 503 } },
      });
    }
    if (original instanceof StorageFullError) {
      return createGraphQLError(original.message, {
        ...location,
        extensions: { code: RequestErrorCodes.STORAGE_FULL, http: { status: 507 } },
      });
    }
    if (original instanceof StorageUnavailableError) {
      // The cause (a host name, a bucket) is for the operator's log, not the client.
      logger.error({ err: original }, 'storage backend unavailable');
      return createGraphQLError('Storage is unavailable right now; nothing was changed. Try again shortly.', {
        ...location,
        extensions: { code: RequestErrorCodes.SERVER_BUSY, http: { status: 503 } },
      });
    }
    if (original instanceof ImageJobCancelledError) {
      // Nobody reads this answer (the client went away), and it is not the server's failure.
      return createGraphQLError(original.message, {
        ...location,
        extensions: { code: RequestErrorCodes.CANCELLED, http: { status: 499 } },
      });
    }
    if (original instanceof ImageJobTimeoutError) {
      return createGraphQLError(original.message, {
        ...location,
        extensions: { code: RequestErrorCodes.IMAGE_TIMEOUT, http: { status: 503 } },
      });
    }
    return maskError(error, message, false);
  };
}
