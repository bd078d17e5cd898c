// Expected failures are data: each error class becomes a type implementing `Error`, and result
// unions list the ones a field can return. Anything else is a top-level error, masked unless it
// is one of the intended ones below (UNAUTHENTICATED, TOO_MANY_REQUESTS, …).
import { createGraphQLError } from 'graphql-yoga';
import { builder, type Context } from '../builder.ts';
import {
  FileTooLargeError,
  InvalidCredentialsError,
  InvalidImageError,
  InvalidTransformError,
  NotFoundError,
  type PixpressError,
  QuotaExceededError,
  TargetUnreachableError,
  UsernameTakenError,
  ValidationError,
} from '../errors.ts';
import { ERROR_CODES, RequestErrorCodes } from '../shared/error-codes.ts';

export const ErrorCodeEnum = builder.enumType('ErrorCode', { values: ERROR_CODES });

export const ErrorInterface = builder.interfaceRef<PixpressError>('Error').implement({
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', {
      nullable: true,
      description: "The argument or input field at fault, as a path such as 'options.width'.",
    }),
  }),
});

for (const [errorClass, name] of [
  [NotFoundError, 'NotFoundError'],
  [InvalidImageError, 'InvalidImageError'],
  [UsernameTakenError, 'UsernameTakenError'],
  [InvalidCredentialsError, 'InvalidCredentialsError'],
  [TargetUnreachableError, 'TargetUnreachableError'],
] as const) {
  builder.objectType(errorClass, { name, interfaces: [ErrorInterface] });
}

builder.objectType(InvalidTransformError, {
  name: 'InvalidTransformError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { nullable: true, description: "The input field at fault, such as 'options.transform.crop'." }),
  }),
});

builder.objectType(FileTooLargeError, {
  name: 'FileTooLargeError',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    maxBytes: t.exposeFloat('maxBytes'),
    maxPixels: t.exposeFloat('maxPixels'),
  }),
});

builder.objectType(QuotaExceededError, {
  name: 'QuotaExceededError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ limit: t.exposeInt('limit') }),
});

/** The signed-in user's id, or a top-level UNAUTHENTICATED error (also when the account is gone). */
export async function requireUser(context: Context): Promise<string> {
  if (context.userId === null || !(await context.loaders.user.load(context.userId))) {
    throw createGraphQLError('You must be signed in.', { extensions: { code: RequestErrorCodes.UNAUTHENTICATED } });
  }
  return context.userId;
}
