// The one SchemaBuilder. Feature files under schema/ add their types and fields to it.
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import type { FileUpload } from 'graphql-upload-minimal';
import type { Session } from './auth/sessions.ts';
import type { ResponseBudget } from './http/response-budget.ts';
import type { Services } from './services.ts';
import type { Loaders } from './store/loaders.ts';

export interface Context {
  services: Services;
  /** The signed-in user's id, or null: a missing, bad, expired or ended token means signed out. */
  userId: string | null;
  /** The session of the token this request came with (what logOut ends). */
  session: Session | null;
  /** The caller's address, for login throttling. */
  clientAddress: string;
  /** This request's batched record lookups. */
  loaders: Loaders;
  /** What this response may still carry as base64. */
  budget: ResponseBudget;
  /** Scheme, host and port the caller reached us at (PUBLIC_URL when set): for absolute URLs. */
  origin: string;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    Upload: { Input: Promise<FileUpload>; Output: never };
  };
}>({
  plugins: [ErrorsPlugin],
  defaultFieldNullability: false,
  errors: { directResult: true },
});
