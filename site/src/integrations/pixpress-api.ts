// For `astro dev` only: mounts the API (graphql/app.ts) into Vite's dev server. The module is
// imported by Node itself at dev-server start, never bundled into the site, so the built site
// holds no second store instance (two lowdb instances on one file lose writes).
import type { AstroIntegration } from 'astro';

// Astro reads astro.config.ts through Vite's module runner, which would route a plain import()
// through itself (and is closed by the time this hook runs). An import() made by Function is
// Node's own: the API is loaded once, natively, outside anything Vite bundles.
const nativeImport = new Function('specifier', 'return import(specifier)') as <Module>(specifier: string) => Promise<Module>;

export function pixpressApi(): AstroIntegration {
  return {
    name: 'pixpress-api',
    hooks: {
      'astro:server:setup': async ({ server, logger }) => {
        const { createApp } = await nativeImport<typeof import('../../../graphql/app.ts')>(
          new URL('../../../graphql/app.ts', import.meta.url).href,
        );
        const { loadConfig } = await nativeImport<typeof import('../../../graphql/config.ts')>(
          new URL('../../../graphql/config.ts', import.meta.url).href,
        );
        const { createSiteLocals } = await nativeImport<typeof import('../../server/locals.ts')>(
          new URL('../../server/locals.ts', import.meta.url).href,
        );
        const config = loadConfig();
        const app = await createApp(config);
        logger.info('API mounted at /graphql for astro dev');
        server.middlewares.use((req, res, next) => {
          app.handle(req, res).then((handled) => {
            if (handled) return;
            // Astro's dev server reads a request's locals from this symbol (the built handler
            // takes them as an argument, see server/serve-site.ts).
            Reflect.set(req, Symbol.for('astro.locals'), createSiteLocals(app.yoga, req, app.addressing));
            next();
          }, next);
        });
      },
    },
  };
}
