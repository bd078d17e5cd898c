// Every page render: a GraphQL client acting as the caller, the signed-in user, and the door.
import { defineMiddleware } from 'astro:middleware';
import { ViewerQuery } from './lib/operations.ts';
import { isCrossSitePost } from './lib/same-origin.ts';
import { serverClient } from './lib/urql.ts';

/** Pages anyone may see; everything else sends a signed-out visitor to /login. */
const PUBLIC_PATHS = new Set(['/login', '/signup', '/logout']);

export const onRequest = defineMiddleware(async (context, next) => {
  const { locals, request, url } = context;
  if (typeof locals.graphqlFetch !== 'function') {
    throw new Error('locals.graphqlFetch is missing: serve the site through server.ts (or astro dev), not on its own.');
  }
  if (isCrossSitePost(request.method, request.headers, locals.requestIsHttps)) {
    return new Response('Cross-site form submissions are refused.\n', { status: 403, headers: { 'content-type': 'text/plain' } });
  }
  locals.gql = serverClient(locals.graphqlFetch, request.headers.get('cookie'));
  const result = await locals.gql.query(ViewerQuery, {}).toPromise();
  if (result.error) throw result.error;
  locals.viewer = result.data?.me ?? null;

  if (!locals.viewer && !PUBLIC_PATHS.has(url.pathname)) {
    const target = url.pathname + url.search;
    return context.redirect(target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`, 303);
  }
  return next();
});
