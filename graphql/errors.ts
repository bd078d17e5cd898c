// Expected failures, as plain classes. The schema registers each as a GraphQL type implementing
// `Error` (schema/errors.ts), so resolvers can throw or return them and clients get typed data.
// Modules outside the schema may throw them too; they carry no GraphQL machinery.

import { ErrorCodes, type ErrorCode } from './shared/error-codes.ts';

export type { ErrorCode };

export abstract class PixpressError extends Error {
  abstract readonly code: ErrorCode;
}

export class ValidationError extends PixpressError {
  readonly code = ErrorCodes.VALIDATION;
  /** The argument or input field at fault, such as 'options.width'. */
  readonly field: string | null;
  constructor(message: string, field: string | null = null) {
    super(message);
    this.name = 'ValidationError';
    this.field = field;
  }
}

export class NotFoundError extends PixpressError {
  readonly code = ErrorCodes.NOT_FOUND;
  constructor(message = 'Not found.') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class InvalidImageError extends PixpressError {
  readonly code = ErrorCodes.INVALID_IMAGE;
  constructor(message = 'The file is not a JPEG, PNG, WebP, AVIF or GIF image that can be decoded.') {
    super(message);
    this.name = 'InvalidImageError';
  }
}

export class FileTooLargeError extends PixpressError {
  readonly code = ErrorCodes.FILE_TOO_LARGE;
  readonly maxBytes: number;
  readonly maxPixels: number;
  constructor(message: string, limits: { maxBytes: number; maxPixels: number }) {
    super(message);
    this.name = 'FileTooLargeError';
    this.maxBytes = limits.maxBytes;
    this.maxPixels = limits.maxPixels;
  }
}

export class QuotaExceededError extends PixpressError {
  readonly code = ErrorCodes.QUOTA_EXCEEDED;
  readonly limit: number;
  constructor(message: string, limit: number) {
    super(message);
    this.name = 'QuotaExceededError';
    this.limit = limit;
  }
}

export class UsernameTakenError extends PixpressError {
  readonly code = ErrorCodes.USERNAME_TAKEN;
  constructor(message = 'That username is taken.') {
    super(message);
    this.name = 'UsernameTakenError';
  }
}

export class InvalidCredentialsError extends PixpressError {
  readonly code = ErrorCodes.INVALID_CREDENTIALS;
  constructor(message = 'Wrong username or password.') {
    super(message);
    this.name = 'InvalidCredentialsError';
  }
}

export class TargetUnreachableError extends PixpressError {
  readonly code = ErrorCodes.TARGET_UNREACHABLE;
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnreachableError';
  }
}

/** A transform that does not fit the image it is applied to (a crop outside it, an empty result). */
export class InvalidTransformError extends PixpressError {
  readonly code = ErrorCodes.INVALID_TRANSFORM;
  /** The input field at fault, such as 'options.transform.crop'. */
  readonly field: string | null;
  constructor(message: string, field: string | null = null) {
    super(message);
    this.name = 'InvalidTransformError';
    this.field = field;
  }
}
