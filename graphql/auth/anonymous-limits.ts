// What an anonymous caller may ask of us before any password is hashed: log-in attempts and
// sign-ups per client address, whatever the usernames (a flood of random names would otherwise
// never meet the per-username throttle), and whether sign-up is open at all. Refusals are cheap
// top-level errors: TOO_MANY_REQUESTS (429) or SIGNUP_CLOSED (403).
import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { SignUpSettings } from '../config.ts';
import { PasswordsBusyError } from './passwords.ts';
import type { RateLimiter } from './rate-limit.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';

export const LOGIN_WINDOW_MS = 10 * 60_000;
const HOUR_MS = 60 * 60_000;

export interface AnonymousLimitSettings {
  loginAttemptsPerAddress: number;
  signUp: SignUpSettings;
}

export function tooManyRequests(message: string, retryAfterSeconds: number): GraphQLError {
  return createGraphQLError(message, {
    extensions: {
      code: RequestErrorCodes.TOO_MANY_REQUESTS,
      retryAfterSeconds,
      http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
    },
  });
}

export async function admitLogIn(limiter: RateLimiter, settings: AnonymousLimitSettings, address: string): Promise<void> {
  const verdict = await limiter.hit(`login:${address}`, settings.loginAttemptsPerAddress, LOGIN_WINDOW_MS);
  if (!verdict.allowed) {
    throw tooManyRequests(
      `Too many log-in attempts from your address; try again in ${verdict.retryAfterSeconds} s.`,
      verdict.retryAfterSeconds,
    );
  }
}

export async function admitSignUp(limiter: RateLimiter, settings: AnonymousLimitSettings, address: string): Promise<void> {
  if (settings.signUp.mode === 'closed') {
    throw createGraphQLError('Sign-up is closed on this server; ask its operator for an account.', {
      extensions: { code: RequestErrorCodes.SIGNUP_CLOSED, http: { status: 403 } },
    });
  }
  const verdict = await limiter.hit(`signup:${address}`, settings.signUp.perAddressPerHour, HOUR_MS);
  if (!verdict.allowed) {
    throw tooManyRequests(`Too many sign-ups from your address; try again in ${verdict.retryAfterSeconds} s.`, verdict.retryAfterSeconds);
  }
}

/** A full password pool answers like a rate limit: the caller should come back in a moment. */
export async function refuseWhenBusy<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PasswordsBusyError) throw tooManyRequests(error.message, 2);
    throw error;
  }
}
