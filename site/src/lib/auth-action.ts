// The server side of the log-in and sign-up forms.
import type { AstroGlobal } from 'astro';
import { LogInMutation, SignUpMutation } from './operations.ts';
import { SESSION_COOKIE } from '../../../graphql/shared/http.ts';
import { safeNext, sessionCookieOptions } from './session.ts';

export interface AuthFormState {
  error: string | null;
  username: string;
  next: string;
  /** Set when the caller should be sent on (signed in). */
  redirect: string | null;
}

export async function handleAuthForm(Astro: AstroGlobal, mode: 'login' | 'signup'): Promise<AuthFormState> {
  const next = safeNext(Astro.url.searchParams.get('next'));
  if (Astro.locals.viewer) return { error: null, username: '', next, redirect: next };
  if (Astro.request.method !== 'POST') return { error: null, username: '', next, redirect: null };

  const form = await Astro.request.formData();
  const username = String(form.get('username') ?? '').trim();
  const password = String(form.get('password') ?? '');
  const target = safeNext(String(form.get('next') ?? next));
  const state = { username, next: target, redirect: null };
  // A form shown again with its error is a 200: browsers log 4xx page loads as console errors.
  if (!username || !password) {
    return { ...state, error: 'Enter a username and a password.' };
  }
  const variables = { username, password };
  const result =
    mode === 'login'
      ? await Astro.locals.gql
          .mutation(LogInMutation, variables)
          .toPromise()
          .then((r) => ({ error: r.error, payload: r.data?.logIn }))
      : await Astro.locals.gql
          .mutation(SignUpMutation, variables)
          .toPromise()
          .then((r) => ({ error: r.error, payload: r.data?.signUp }));
  const payload = result.payload;
  if (!payload) {
    return { ...state, error: result.error?.graphQLErrors[0]?.message ?? 'The server could not be reached. Try again.' };
  }
  if (payload.__typename !== 'AuthPayload') {
    return { ...state, error: payload.message };
  }
  Astro.cookies.set(SESSION_COOKIE, payload.token, sessionCookieOptions(payload.expiresAt, Astro.locals.requestIsHttps));
  return { ...state, error: null, redirect: target };
}
