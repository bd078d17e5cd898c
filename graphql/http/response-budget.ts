// How much file content one response may carry as base64. Ten aliases of `base64` on a 25 MB
// compression would build a response of hundreds of MiB; the budget is counted as fields resolve (lists and
// aliases alike), before any file is read.
import { createGraphQLError } from 'graphql-yoga';
import { RequestErrorCodes } from '../shared/error-codes.ts';

export const MAX_BASE64_FIELDS_PER_REQUEST = 3;
/** Past this, a client asks for the signed `url` instead (stored compressions) or a smaller output. */
export const MAX_BASE64_BYTES = 12 * 1024 * 1024;
export const MAX_BASE64_BYTES_PER_REQUEST = 24 * 1024 * 1024;

export class ResponseBudget {
  private fields = 0;
  private bytes = 0;

  /** Counts one base64 field of `bytes` raw bytes, or throws RESPONSE_TOO_LARGE. */
  takeBase64(bytes: number): void {
    if (bytes > MAX_BASE64_BYTES) {
      throw tooLarge(
        `This file is ${bytes} bytes; base64 is only returned for files up to ${MAX_BASE64_BYTES} bytes (use url, or ask for a smaller output).`,
      );
    }
    if (this.fields + 1 > MAX_BASE64_FIELDS_PER_REQUEST) {
      throw tooLarge(
        `A request may select base64 at most ${MAX_BASE64_FIELDS_PER_REQUEST} times (lists and aliases count); use url for the rest.`,
      );
    }
    if (this.bytes + bytes > MAX_BASE64_BYTES_PER_REQUEST) {
      throw tooLarge(`A response may carry at most ${MAX_BASE64_BYTES_PER_REQUEST} bytes as base64; use url for the rest.`);
    }
    this.fields += 1;
    this.bytes += bytes;
  }
}

function tooLarge(message: string) {
  return createGraphQLError(message, { extensions: { code: RequestErrorCodes.RESPONSE_TOO_LARGE } });
}
