import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import { createHash } from 'node:crypto';
import { defineConfig } from 'astro/config';
import { generateHydrationScript } from 'solid-js/web';
import { pixpressApi } from './src/integrations/pixpress-api.ts';

// Solid's hydration bootstrap is an inline script the Solid renderer adds and Astro does not hash
// by itself; its hash is taken from the installed solid-js, so an upgrade cannot break the CSP.
const solidHydration = /<script[^>]*>([\s\S]*)<\/script>/.exec(generateHydrationScript())?.[1] ?? '';
const SOLID_HYDRATION_HASH = `sha256-${createHash('sha256').update(solidHydration).digest('base64')}` as const;

// Server-rendered with @astrojs/node in middleware mode (the only mode whose handler takes
// per-request `locals`); the production server (../server.ts, via server/serve-site.ts) imports
// the built handler, serves dist/client beside it and the API on the same port. In `astro dev` the integration below mounts
// the same API into Vite's server, so the site and the API still share one origin.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  integrations: [solid(), pixpressApi()],
  server: { port: 4321, host: '127.0.0.1' },
  // Replaced by src/lib/same-origin.ts (via src/middleware.ts), which also works behind a TLS proxy.
  security: {
    checkOrigin: false,
    // A CSP for each page with the hashes of the inline scripts and styles Astro renders (island
    // loaders, Solid's hydration). Astro sends it as the page's Content-Security-Policy header
    // (server-rendered pages), replacing the server's generic one (graphql/http/security-headers.ts),
    // so it repeats frame-ancestors.
    csp: {
      directives: [
        "default-src 'self'",
        // Previews and downloads are blob: URLs made from API results (and read back with fetch).
        "img-src 'self' blob: data:",
        "connect-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ],
      scriptDirective: { resources: ["'self'"], hashes: [SOLID_HYDRATION_HASH] },
      // The quota meter's width and a few layout nudges are style attributes.
      styleDirective: { resources: ["'self'", { resource: "'unsafe-inline'", kind: 'attribute' }] },
    },
  },
});
