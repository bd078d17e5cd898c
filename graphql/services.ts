// What resolvers and handlers work with, built once per process by createApp().
import type { PasswordHasher } from './auth/passwords.ts';
import type { RateLimiter } from './auth/rate-limit.ts';
import type { LoginThrottle } from './auth/throttle.ts';
import type { Config } from './config.ts';
import type { FileUrls } from './http/file-urls.ts';
import type { Metrics } from './http/metrics.ts';
import type { UrlSigner } from './http/signed-urls.ts';
import type { PreviewTickets } from './imaging/preview-ticket.ts';
import type { ImageQueue } from './imaging/queue.ts';
import type { SsimPool } from './imaging/ssim-pool.ts';
import type { ShareTokens } from './sharing/share-tokens.ts';
import type { BlobStore, RateCounters, RecordStore } from './store/ports.ts';

export interface Services {
  config: Config;
  /** Users, images and compressions: the embedded document or Postgres. */
  records: RecordStore;
  /** The files: the local folder or a bucket. */
  blobs: BlobStore;
  /** Counters shared by every instance (the login throttle). */
  rateCounters: RateCounters;
  /** URLs for stored files: presigned bucket URLs or the app's signed /files/ URLs. */
  fileUrls: FileUrls;
  signer: UrlSigner;
  passwords: PasswordHasher;
  loginThrottle: LoginThrottle;
  /** Per-address limits shared by every instance (on rateCounters). */
  rateLimiter: RateLimiter;
  /** This instance's per-user decode budget (its own CPU), in memory. */
  decodeLimiter: RateLimiter;
  imageQueue: ImageQueue;
  /** Signs and checks what a preview's search chose, so storing it needs no second search. */
  previewTickets: PreviewTickets;
  /** Worker threads that measure SSIM off the event loop. */
  ssim: SsimPool;
  /** Prometheus metrics of this app (GET /metrics); the compression engine reports to it. */
  metrics: Metrics;
  /** Key for access tokens, derived from the secret. */
  tokenKey: Uint8Array;
  /** The secret part of share links' URLs, and the hash they are found by. */
  shareTokens: ShareTokens;
}
