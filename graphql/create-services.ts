// Builds the Services (services.ts) once per process, on the storage openStorage() returned.
import sharp from 'sharp';
import { PasswordHasher } from './auth/passwords.ts';
import { MemoryRateLimiter, rateLimiterOn } from './auth/rate-limit.ts';
import { LoginThrottle } from './auth/throttle.ts';
import { deriveKey } from './auth/tokens.ts';
import type { Config } from './config.ts';
import { createFileUrls } from './http/file-urls.ts';
import { createMetrics } from './http/metrics.ts';
import { createUrlSigner } from './http/signed-urls.ts';
import { createPreviewTickets } from './imaging/preview-ticket.ts';
import { ImageQueue } from './imaging/queue.ts';
import { SsimPool } from './imaging/ssim-pool.ts';
import { createShareTokens } from './sharing/share-tokens.ts';
import type { Services } from './services.ts';
import type { Storage } from './store/open.ts';

export function createServices(config: Config, storage: Storage): Services {
  const { records, blobs } = storage;
  // libvips keeps recent operations' results (up to 50 MB and 20 open files) for re-use; a
  // server never repeats an operation on the same image, so the cache only costs memory
  // (bench/memory.ts measured the peak RSS with and without it: bench/RESULTS.md).
  sharp.cache(false);
  const imageQueue = new ImageQueue({
    concurrency: config.imageConcurrency,
    maxWaiting: config.imageQueueSize,
    jobTimeoutMs: config.imageJobTimeoutMs,
    runningPerOwner: config.imageJobsRunningPerUser,
    waitingPerOwner: config.imageJobsWaitingPerUser,
  });
  const signer = createUrlSigner(deriveKey(config.secret, 'file-url'), config.urlTtlSeconds);
  return {
    config,
    records,
    blobs,
    rateCounters: storage.rateCounters,
    fileUrls: createFileUrls(blobs, signer, config.fileUrls, config.urlTtlSeconds),
    signer,
    passwords: new PasswordHasher({ cost: config.bcryptCost, workers: config.passwordWorkers, maxWaiting: config.passwordQueueSize }),
    loginThrottle: new LoginThrottle(storage.rateCounters),
    rateLimiter: rateLimiterOn(storage.rateCounters),
    decodeLimiter: new MemoryRateLimiter(),
    imageQueue,
    ssim: new SsimPool(config.imageConcurrency),
    metrics: createMetrics({ records, imageQueue }),
    tokenKey: deriveKey(config.secret, 'access-token'),
    previewTickets: createPreviewTickets(deriveKey(config.secret, 'preview-ticket')),
    shareTokens: createShareTokens(deriveKey(config.secret, 'share-link')),
  };
}
