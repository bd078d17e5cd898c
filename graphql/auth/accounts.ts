// Signing up and logging in. Both return a fresh access token; the failures are typed errors.
import { randomUUID } from 'node:crypto';
import { createGraphQLError } from 'graphql-yoga';
import { InvalidCredentialsError, UsernameTakenError, ValidationError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { UserRecord } from '../store/records.ts';
import { signAccessToken, type AccessToken } from './tokens.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
const PASSWORD_MIN_BYTES = 8;
// bcrypt reads only the first 72 bytes; a longer password would be silently cut.
const PASSWORD_MAX_BYTES = 72;

export interface SignedIn extends AccessToken {
  user: UserRecord;
}

export function validateCredentials(username: string, password: string): void {
  if (!USERNAME.test(username)) {
    throw new ValidationError('A username is 3 to 32 letters, digits, dots, dashes or underscores.', 'username');
  }
  const passwordBytes = Buffer.byteLength(password, 'utf8');
  if (passwordBytes < PASSWORD_MIN_BYTES || passwordBytes > PASSWORD_MAX_BYTES) {
    throw new ValidationError(`A password is ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes long.`, 'password');
  }
}

/** Creates a user without validating the password rules: for the seeded demo user. */
export async function createUser(services: Services, username: string, password: string): Promise<UserRecord | null> {
  const user: UserRecord = {
    id: randomUUID(),
    username,
    usernameKey: username.toLowerCase(),
    passwordHash: await services.passwords.hash(password),
    createdAt: new Date().toISOString(),
    tokenVersion: 0,
  };
  return (await services.records.insertUser(user)) ? user : null;
}

export async function signUp(services: Services, username: string, password: string): Promise<SignedIn> {
  validateCredentials(username, password);
  if (await services.records.findUserByUsername(username)) throw new UsernameTakenError();
  // insertUser checks again: another sign-up for the same name may have won while we hashed.
  const user = await createUser(services, username, password);
  if (!user) throw new UsernameTakenError();
  return { user, ...(await signAccessToken(user.id, services.tokenKey, services.config.tokenTtlSeconds, user.tokenVersion)) };
}

export async function logIn(services: Services, username: string, password: string, address: string): Promise<SignedIn> {
  // Counted as a failure before the (slow, awaited) hash check and cleared on success: parallel
  // guesses would otherwise all pass the check before any of them had been recorded.
  const retryAfter = await services.loginThrottle.begin(username, address);
  if (retryAfter > 0) {
    throw createGraphQLError(`Too many failed logins; try again in ${retryAfter} s.`, {
      extensions: {
        code: RequestErrorCodes.TOO_MANY_REQUESTS,
        retryAfterSeconds: retryAfter,
        http: { status: 429, headers: { 'retry-after': String(retryAfter) } },
      },
    });
  }
  const user = await services.records.findUserByUsername(username);
  const valid = await services.passwords.verify(password, user?.passwordHash);
  if (!user || !valid) throw new InvalidCredentialsError();
  await services.loginThrottle.recordSuccess(username, address);
  return { user, ...(await signAccessToken(user.id, services.tokenKey, services.config.tokenTtlSeconds, user.tokenVersion)) };
}

/** Checks a signed-in user's password, throttled like logins (a stolen session cannot guess it). */
async function confirmPassword(services: Services, user: UserRecord, password: string, address: string): Promise<void> {
  const retryAfter = await services.loginThrottle.begin(user.username, address);
  if (retryAfter > 0) {
    throw createGraphQLError(`Too many wrong passwords; try again in ${retryAfter} s.`, {
      extensions: {
        code: RequestErrorCodes.TOO_MANY_REQUESTS,
        retryAfterSeconds: retryAfter,
        http: { status: 429, headers: { 'retry-after': String(retryAfter) } },
      },
    });
  }
  if (!(await services.passwords.verify(password, user.passwordHash))) throw new InvalidCredentialsError('Wrong password.');
  await services.loginThrottle.recordSuccess(user.username, address);
}

async function signedInUser(services: Services, userId: string): Promise<UserRecord> {
  const user = await services.records.getUser(userId);
  if (!user) throw new InvalidCredentialsError('This account no longer exists.');
  return user;
}

/** A new password, and a new token version: every other session ends; the caller gets a fresh token. */
export async function changePassword(
  services: Services,
  userId: string,
  currentPassword: string,
  newPassword: string,
  address: string,
): Promise<SignedIn> {
  const user = await signedInUser(services, userId);
  try {
    validateCredentials(user.username, newPassword);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(error.message, 'newPassword');
    throw error;
  }
  await confirmPassword(services, user, currentPassword, address);
  const updated = await services.records.changePassword(userId, await services.passwords.hash(newPassword));
  if (!updated) throw new InvalidCredentialsError('This account no longer exists.');
  return {
    user: updated,
    ...(await signAccessToken(updated.id, services.tokenKey, services.config.tokenTtlSeconds, updated.tokenVersion)),
  };
}

/** Records first (so nothing lists a file that is going away), then every file the user had. */
export async function deleteAccount(services: Services, userId: string, password: string, address: string): Promise<void> {
  const user = await signedInUser(services, userId);
  await confirmPassword(services, user, password, address);
  const removed = await services.records.deleteUser(userId);
  if (removed) await services.blobs.remove(...removed.files);
}
