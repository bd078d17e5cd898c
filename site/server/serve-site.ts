// Loads the built site (astro build, @astrojs/node in middleware mode) for server.ts: static
// files from dist/client, everything else rendered by Astro with per-request `locals`.
// Middleware mode because only it passes `locals` through; standalone's handler drops them.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sirv from 'sirv';
import type { SiteLocals } from './locals.ts';

type AstroNodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void, locals: object) => Promise<void> | void;

export type SiteHandler = (req: IncomingMessage, res: ServerResponse, locals: SiteLocals, notFound: () => void) => void;

export const SITE_DIST = new URL('../dist/', import.meta.url);

/** The site's request handler, or null when it has not been built. */
export async function loadSite(dist: URL = SITE_DIST): Promise<SiteHandler | null> {
  const entry = fileURLToPath(new URL('server/entry.mjs', dist));
  if (!existsSync(entry)) return null;
  // The adapter would start its own server on import unless told not to.
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const { handler } = (await import(pathToFileURL(entry).href)) as { handler: AstroNodeHandler };
  const assets = sirv(fileURLToPath(new URL('client/', dist)), {
    etag: true,
    // Vite fingerprints everything under /_astro/: those names change with their content.
    setHeaders(res, pathname) {
      res.setHeader('cache-control', pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    },
  });
  return (req, res, locals, notFound) => {
    const render = () => void handler(req, res, notFound, locals);
    if (req.method === 'GET' || req.method === 'HEAD') assets(req, res, render);
    else render();
  };
}
