import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import { defineConfig } from 'astro/config';
import { pixpressApi } from './src/integrations/pixpress-api.ts';

// Server-rendered with @astrojs/node; the production server (../server.ts) imports the built
// handler and serves the API beside it on one port. In `astro dev` the integration below mounts
// the same API into Vite's server, so the site and the API still share one origin.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [solid(), pixpressApi()],
  server: { port: 4321, host: '127.0.0.1' },
  telemetry: false,
});
