// Typed API errors in words a person understands.
import { ErrorCodes, RequestErrorCodes } from '../../../graphql/shared/error-codes.ts';
import { formatBytes } from './format.ts';

export interface ApiProblem {
  __typename: string;
  code: string;
  message: string;
  maxBytes?: number;
  maxPixels?: number;
  limit?: number;
}

/** Which compression mode the request was in: the advice for an unreachable target differs. */
export type ProblemMode = 'quality' | 'ssim' | 'size';

export function describeProblem(problem: ApiProblem, mode?: ProblemMode): string {
  switch (problem.code) {
    case ErrorCodes.FILE_TOO_LARGE:
      if (problem.maxBytes) {
        return `This file is too large. Images can be up to ${formatBytes(problem.maxBytes)} and ${Math.round((problem.maxPixels ?? 0) / 1e6)} megapixels.`;
      }
      return 'This file is too large.';
    case ErrorCodes.INVALID_IMAGE:
      return 'This is not an image Pixpress can read. Use a JPEG, PNG, WebP, AVIF or GIF file.';
    case ErrorCodes.QUOTA_EXCEEDED:
      return problem.limit
        ? `You have reached your limit (${problem.limit}). Delete something to make room.`
        : 'You have reached your limit. Delete something to make room.';
    case ErrorCodes.INVALID_TRANSFORM:
      return `That edit does not fit the image: ${problem.message}`;
    case ErrorCodes.TARGET_UNREACHABLE:
      if (mode === 'size')
        return 'Even at the lowest quality the image does not fit in that size. Allow a larger size budget or choose a smaller width.';
      if (mode === 'ssim') return `That SSIM cannot be reached: ${problem.message} Try a lower target SSIM or another format.`;
      return `That target cannot be met: ${problem.message} Try a lower target or a larger size budget.`;
    default:
      return problem.message;
  }
}

/** A failure that never reached the API's typed errors (network, server, HTTP status). */
export function describeTransportError(status: number | null, message?: string): string {
  if (status === 413) return 'This file is too large to send.';
  if (status === 401 || status === 403) return 'Your session has ended. Log in again.';
  if (status === 503) return 'The server is busy right now. Try again in a moment.';
  if (status === null || status === 0) return 'Could not reach the server. Check your connection and try again.';
  return message ? `Something went wrong: ${message}` : `Something went wrong (HTTP ${status}).`;
}

/** A request's failure outside the typed errors: an image job's time limit has its own words. */
export function describeRequestError(
  error:
    | {
        response?: { status?: number } | null;
        message?: string;
        graphQLErrors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
      }
    | undefined,
): string {
  const timedOut = error?.graphQLErrors?.find((graphQLError) => graphQLError.extensions?.code === RequestErrorCodes.IMAGE_TIMEOUT);
  if (timedOut) return `The server stopped this search at its time limit: ${timedOut.message} Quality mode (no search) is fastest.`;
  return describeTransportError(error?.response?.status ?? null, error?.message);
}
