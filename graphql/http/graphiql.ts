// GraphiQL as Pixpress serves it: Yoga's page, with its code, styles and editor workers loaded
// from the @graphql-yoga/graphiql package on this server instead of a public CDN (which meant a
// blank page offline, and third-party code running on the app's origin).
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { renderGraphiQL, type GraphiQLOptions } from 'graphql-yoga';
import sirv from 'sirv';

export const GRAPHIQL_ASSETS_PREFIX = '/graphiql-assets/';

const CDN_DIST = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;
const REMOTE_ICON = /<link rel=icon href=https:[^>]*>/;

export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  const html = renderGraphiQL(options).replace(CDN_DIST, GRAPHIQL_ASSETS_PREFIX).replace(REMOTE_ICON, '<link rel=icon href=/favicon.svg>');
  // Yoga's template changed under us: better no GraphiQL than one that loads code from elsewhere.
  if (/(?:src|href)=["']?https?:|https:\/\/unpkg/.test(html)) throw new Error('GraphiQL page still refers to another host');
  return html;
}

/** Serves the package's dist/ under GRAPHIQL_ASSETS_PREFIX. */
export function createGraphiQLAssets(): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const dist = dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql'));
  const serve = sirv(dist, { etag: true, maxAge: 86_400 });
  return (req, res) =>
    new Promise<void>((resolve) => {
      const original = req.url ?? '/';
      req.url = original.slice(GRAPHIQL_ASSETS_PREFIX.length - 1);
      serve(req, res, () => {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      });
      req.url = original;
      if (res.writableEnded) resolve();
      else res.once('close', () => resolve());
    });
}

/** GraphiQL's options when it is on: a title, a header to fill in, and a first query to run. */
export function graphiqlOptions(demo: { username: string; password: string } | null): GraphiQLOptions {
  return {
    title: 'Pixpress GraphQL',
    headers: JSON.stringify({ Authorization: 'Bearer <token from logIn>' }),
    defaultQuery: graphiqlDefaultQuery(demo),
  };
}

/** The demo user's credentials appear only outside production; elsewhere, placeholders. */
const graphiqlDefaultQuery = (
  demo: { username: string; password: string } | null,
) => `# Log in, copy the token into the Authorization header below, then run the other operations.
mutation LogIn {
  logIn(username: ${JSON.stringify(demo?.username ?? 'your-username')}, password: ${JSON.stringify(demo?.password ?? 'your-password')}) {
    ... on AuthPayload { token expiresAt }
    ... on Error { code message }
  }
}

query Gallery {
  me { username usage { images maxImages files maxFiles bytes } }
  images(first: 10) { totalCount edges { node { id name width height bytes url } } }
}
`;
