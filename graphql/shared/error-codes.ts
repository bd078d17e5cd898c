// Every error code a client can see, as constants. The typed codes are the schema's ErrorCode enum
// (schema/errors.ts builds it from this list); the request codes are top-level errors'
// `extensions.code`, for failures that are no resolver's result.

export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'INVALID_IMAGE',
  'FILE_TOO_LARGE',
  'QUOTA_EXCEEDED',
  'USERNAME_TAKEN',
  'INVALID_CREDENTIALS',
  'TARGET_UNREACHABLE',
  'INVALID_TRANSFORM',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const REQUEST_ERROR_CODES = [
  'UNAUTHENTICATED',
  'TOO_MANY_REQUESTS',
  'SIGNUP_CLOSED',
  'TOO_MANY_IMAGE_JOBS',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RESPONSE_TOO_LARGE',
  'STORAGE_FULL',
  'SERVER_BUSY',
  'IMAGE_TIMEOUT',
  'CANCELLED',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

function keyed<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.freeze(Object.fromEntries(values.map((value) => [value, value]))) as { readonly [K in T[number]]: K };
}

/** `ErrorCodes.VALIDATION === 'VALIDATION'`: the constants to use instead of bare strings. */
export const ErrorCodes = keyed(ERROR_CODES);
export const RequestErrorCodes = keyed(REQUEST_ERROR_CODES);
