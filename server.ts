// The one process: /graphql, /files/…, /healthz and /metrics go to the API (graphql/app.ts),
// everything else to the Astro site's built handler. Only this file listens.
import { createServer } from 'node:http';
import { type App, createApp } from './graphql/app.ts';
import { type Config, ConfigError, loadConfig } from './graphql/config.ts';
import { routeConsoleTo } from './graphql/http/console-to-logger.ts';
import { tuneGarbageCollection } from './graphql/http/gc-tuning.ts';
import { capConnectionsPerAddress, nodeServerOptions } from './graphql/http/node-server.ts';
import { makeGraceful } from './graphql/http/shutdown.ts';
import { createSiteLocals } from './site/server/locals.ts';
import { loadSite, SITE_DIST } from './site/server/serve-site.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  tuneGarbageCollection();
  let app: App;
  try {
    app = await createApp(config);
  } catch (error) {
    // A database or bucket that is named but unusable, a locked data folder, a database from a
    // newer release: one line that says which and why, and a non-zero exit, never a fallback.
    console.error(`Pixpress cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  // Astro's own errors and warnings come through console.*: JSON lines from pino like ours.
  routeConsoleTo(app.logger);
  const site = await loadSite();
  if (!site) app.logger.warn(`no built site in ${SITE_DIST.pathname}; run npm run build. Serving the API only.`);

  const server = createServer(nodeServerOptions(config), (req, res) => {
    app.handle(req, res).then(
      (handled) => {
        if (handled) return;
        if (site) {
          // Pages run their GraphQL in process, with the caller's cookie (locals.graphqlFetch).
          const locals = createSiteLocals(app.yoga, req, app.addressing);
          site(req, res, locals, () => res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.\n'));
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.\n');
        }
      },
      (error: unknown) => {
        app.logger.error({ err: error }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end();
      },
    );
  });

  capConnectionsPerAddress(server, config.connectionsPerAddress, app.addressing.isTrustedProxy);
  const graceful = makeGraceful(server);
  const shutdown = (signal: string) => {
    if (graceful.stopping) return;
    app.logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing requests in flight');
    graceful
      .stop(config.shutdownTimeoutMs)
      .then(async (result) => {
        if (result.forced) app.logger.warn(result, 'shutdown timeout: cut the connections still open');
        // Image work still queued finishes, then the last database write lands.
        await app.close();
        app.logger.info(result, 'stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    app.logger.info({ url: `http://${config.host}:${port}/` }, 'Pixpress is listening');
  });
}

await main();
