// Builds everything a Pixpress process serves, without listening: tests drive the returned
// handler with real HTTP on an ephemeral port, server.ts puts it (and the site) on the real one.
// Each part is its own module; this file only composes them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.ts';
import { createServices } from './create-services.ts';
import { createDiskSpace } from './health/disk-space.ts';
import { createClientAddressing, type ClientAddressing } from './http/client-address.ts';
import { createRequestContext } from './http/request-context.ts';
import { createRequestObserver } from './http/request-log.ts';
import { createHttpRoutes } from './http/routes.ts';
import { createLogger } from './logger.ts';
import type { Services } from './services.ts';
import { openStorage } from './store/open.ts';
import { prepareStorage } from './store/start-up.ts';
import { createPixpressYoga, type PixpressYoga } from './yoga.ts';

export interface App {
  services: Services;
  /** The caller's address (TRUST_PROXY applied), for the server and the site too. */
  addressing: ClientAddressing;
  logger: Logger;
  yoga: PixpressYoga;
  /**
   * Serves /graphql, /files/…, /healthz and /metrics; returns false (having sent nothing) for
   * any other path, which the caller hands on to the site.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Waits for image work in flight and the last database write, then closes the storage backends. */
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** Where the app's own logger writes (stdout when unset); tests read the log lines from here. */
  logStream?: DestinationStream;
}

/** How long close() waits for request handlers still running. */
const CLOSE_SETTLE_MS = 2000;

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config, options.logStream);
  const storage = await openStorage(config, logger);
  const services = createServices(config, storage);
  const requests = createRequestObserver(logger, services.metrics);
  const addressing = createClientAddressing(config.trustProxy);
  const disk = createDiskSpace(config.dataDir, config.minFreeDiskBytes);
  const sweeps = await prepareStorage(storage, services, logger);

  const yoga = createPixpressYoga({ config, logger, requests, disk, context: createRequestContext(services, addressing) });
  const routes = createHttpRoutes({ config, services, yoga, requests, addressing, disk });

  return {
    services,
    addressing,
    logger,
    yoga,
    handle: routes.handle,
    async close() {
      // Requests whose connections were cut (the shutdown timeout) are still unwinding: their
      // resolvers delete partial files and release quota slots. Let them finish, within reason.
      await routes.settle(CLOSE_SETTLE_MS);
      sweeps.stop();
      await services.imageQueue.idle();
      await services.ssim.close();
      await services.passwords.close();
      await Promise.all([services.records.close(), services.blobs.close()]);
    },
  };
}
