// Logging out: the token is stateless, so signing out means the browser forgets it.
import type { APIRoute } from 'astro';
import { SESSION_COOKIE } from '../lib/session.ts';

export const POST: APIRoute = ({ cookies, redirect }) => {
  cookies.delete(SESSION_COOKIE, { path: '/' });
  return redirect('/login', 303);
};

// A link or a prefetch must not log anyone out; only the form's POST does.
export const GET: APIRoute = ({ redirect }) => redirect('/', 303);
