// For `astro dev` only: mounts the API (graphql/app.ts) into Vite's dev server. The module is
// imported by Node itself at dev-server start, never bundled into the site, so the built site
// holds no second store instance (two lowdb instances on one file lose writes).
import type { AstroIntegration } from 'astro';

export function pixpressApi(): AstroIntegration {
  return {
    name: 'pixpress-api',
    hooks: {
      'astro:server:setup': async ({ server, logger }) => {
        const appModule = new URL('../../../graphql/app.ts', import.meta.url).href;
        const configModule = new URL('../../../graphql/config.ts', import.meta.url).href;
        const { createApp } = (await import(/* @vite-ignore */ appModule)) as typeof import('../../../graphql/app.ts');
        const { loadConfig } = (await import(/* @vite-ignore */ configModule)) as typeof import('../../../graphql/config.ts');
        const localsModule = new URL('../../server/locals.ts', import.meta.url).href;
        const { createSiteLocals } = (await import(/* @vite-ignore */ localsModule)) as typeof import('../../server/locals.ts');
        const config = loadConfig();
        const app = await createApp(config);
        logger.info('API mounted at /graphql for astro dev');
        server.middlewares.use((req, res, next) => {
          app.handle(req, res).then((handled) => {
            if (handled) return;
            // Astro's dev server reads a request's locals from this symbol (the built handler
            // takes them as an argument, see server/serve-site.ts).
            Reflect.set(req, Symbol.for('astro.locals'), createSiteLocals(app.yoga, req, { trustProxy: config.trustProxy }));
            next();
          }, next);
        });
      },
    },
  };
}
