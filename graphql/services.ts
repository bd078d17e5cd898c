// What resolvers and handlers work with, built once per process by createApp().
import type { PasswordHasher } from './auth/passwords.ts';
import type { LoginThrottle } from './auth/throttle.ts';
import type { Config } from './config.ts';
import type { Metrics } from './http/metrics.ts';
import type { UrlSigner } from './http/signed-urls.ts';
import type { ImageQueue } from './imaging/queue.ts';
import type { SsimPool } from './imaging/ssim-pool.ts';
import type { Store } from './store/db.ts';
import type { FileStore } from './store/files.ts';
import type { QuotaLedger } from './store/quotas.ts';

export interface Services {
  config: Config;
  store: Store;
  files: FileStore;
  quotas: QuotaLedger;
  signer: UrlSigner;
  passwords: PasswordHasher;
  loginThrottle: LoginThrottle;
  imageQueue: ImageQueue;
  /** Worker threads that measure SSIM off the event loop. */
  ssim: SsimPool;
  /** Prometheus metrics of this app (GET /metrics); the compression engine reports to it. */
  metrics: Metrics;
  /** Key for access tokens, derived from the secret. */
  tokenKey: Uint8Array;
}
