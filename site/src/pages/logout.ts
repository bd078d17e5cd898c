// Logging out ends the session on the server (the token stops working everywhere it was copied,
// not only in this browser), then the browser forgets the cookie.
import type { APIRoute } from 'astro';
import { LogOutMutation } from '../lib/operations.ts';
import { SESSION_COOKIE } from '../../../graphql/shared/http.ts';

export const POST: APIRoute = async ({ cookies, locals, redirect }) => {
  // Signed out either way: a session the server could not end still leaves this browser.
  await locals.gql.mutation(LogOutMutation, {}).toPromise();
  cookies.delete(SESSION_COOKIE, { path: '/' });
  return redirect('/login', 303);
};

// A link or a prefetch must not log anyone out; only the form's POST does.
export const GET: APIRoute = ({ redirect }) => redirect('/', 303);
