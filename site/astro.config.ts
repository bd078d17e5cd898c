import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import { defineConfig } from 'astro/config';
import { pixpressApi } from './src/integrations/pixpress-api.ts';

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
  security: { checkOrigin: false },
});
