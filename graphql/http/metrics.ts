// Prometheus metrics for one app. Each app owns its Registry (never prom-client's global one), so a
// test process can run several apps side by side and every scrape sees only its own numbers.
// Gauges that describe state (queue depth, store size) are computed when scraped, not kept in sync.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FileTooLargeError, InvalidImageError, QuotaExceededError, ValidationError } from '../errors.ts';
import { QueueFullError } from '../imaging/queue.ts';
import { RequestErrorCodes } from '../shared/error-codes.ts';
import { OUTPUT_FORMATS } from '../shared/formats.ts';
import type { RecordStore, StoreCounts } from '../store/ports.ts';

export const METRICS_PATH = '/metrics';

/** Why an upload was refused: the `reason` label of pixpress_uploads_refused_total. */
export const UPLOAD_REFUSAL_REASONS = [
  'quota',
  'too_large',
  'invalid_image',
  'invalid_input',
  'unauthenticated',
  'server_busy',
  'error',
] as const;
export type UploadRefusalReason = (typeof UPLOAD_REFUSAL_REASONS)[number];

/** What the scrape-time gauges read. Structural, so the metrics module needs no store internals. */
export interface MetricSources {
  imageQueue: { readonly waiting: number; readonly running: number };
  records: Pick<RecordStore, 'counts' | 'health'>;
}

export interface Metrics {
  readonly registry: Registry;
  /** One finished HTTP request; `operation` is the GraphQL operation name or the route. */
  observeRequest(route: string, operation: string, status: number, seconds: number): void;
  /** One finished compression: call it from the compression engine once the output is stored. */
  observeCompression(format: string, seconds: number, bytesSaved: number): void;
  uploadRefused(reason: UploadRefusalReason): void;
  /** Serves GET /metrics in the Prometheus text format. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Request durations: from a health check (~1 ms) to a large AVIF compression (tens of seconds). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const COMPRESSION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  // Process CPU, memory, event-loop lag and GC: the first things to look at when it is slow.
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'pixpress_http_request_duration_seconds',
    help: 'HTTP request durations; operation is the GraphQL operation name for /graphql, else the route.',
    labelNames: ['route', 'operation', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });

  const compressionDuration = new Histogram({
    name: 'pixpress_compression_duration_seconds',
    help: 'Time to produce one stored compression, by output format.',
    labelNames: ['format'] as const,
    buckets: COMPRESSION_BUCKETS,
    registers: [registry],
  });
  const bytesSaved = new Counter({
    name: 'pixpress_compression_bytes_saved_total',
    help: 'Bytes saved by stored compressions (original minus output; 0 when the output is larger), by output format.',
    labelNames: ['format'] as const,
    registers: [registry],
  });
  const compressions = new Counter({
    name: 'pixpress_compressions_total',
    help: 'Stored compressions made by this process, by output format.',
    labelNames: ['format'] as const,
    registers: [registry],
  });

  const uploadsRefused = new Counter({
    name: 'pixpress_uploads_refused_total',
    help: 'Uploads refused, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'pixpress_image_queue_jobs',
    help: 'Image jobs (uploads and compressions) running and waiting for a slot.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'running' }, sources.imageQueue.running);
      this.set({ state: 'waiting' }, sources.imageQueue.waiting);
    },
  });

  // Counted by the backend at scrape time (a walk over the embedded document; the users' running
  // totals in Postgres), so they never drift from the truth. One count per scrape, shared by the
  // gauges below (prom-client collects them one after another).
  let scrapeCounts: Promise<StoreCounts> | null = null;
  const countsForScrape = () => (scrapeCounts ??= sources.records.counts());

  new Gauge({
    name: 'pixpress_store_users',
    help: 'User accounts in the store.',
    registers: [registry],
    async collect() {
      this.set((await countsForScrape()).users);
    },
  });
  new Gauge({
    name: 'pixpress_store_images',
    help: 'Original images in the store.',
    registers: [registry],
    async collect() {
      this.set((await countsForScrape()).images);
    },
  });
  new Gauge({
    name: 'pixpress_store_compressions',
    help: 'Stored compressions in the store.',
    registers: [registry],
    async collect() {
      this.set((await countsForScrape()).compressions);
    },
  });
  new Gauge({
    name: 'pixpress_store_bytes',
    help: 'Bytes of stored files, by kind (originals, thumbnails, compressions).',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      const { bytes } = await countsForScrape();
      for (const [kind, value] of Object.entries(bytes)) this.set({ kind }, value);
    },
  });

  new Gauge({
    name: 'pixpress_store_healthy',
    help: 'Whether the records backend answers and accepts writes (1), with its status word (ok, near-capacity, full, unreachable, ...).',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const health = await sources.records.health();
      this.set({ status: health.status }, health.ok ? 1 : 0);
    },
  });

  // Series that exist from the start read as 0 rather than missing, so rate() and alerts work
  // before the first event.
  for (const reason of UPLOAD_REFUSAL_REASONS) uploadsRefused.inc({ reason }, 0);
  for (const format of OUTPUT_FORMATS) {
    bytesSaved.inc({ format }, 0);
    compressions.inc({ format }, 0);
  }

  return {
    registry,
    observeRequest(route, operation, status, seconds) {
      requestDuration.observe({ route, operation, status: String(status) }, seconds);
    },
    observeCompression(format, seconds, saved) {
      const label = format.toUpperCase();
      compressionDuration.observe({ format: label }, seconds);
      compressions.inc({ format: label });
      bytesSaved.inc({ format: label }, Math.max(0, saved));
    },
    uploadRefused(reason) {
      uploadsRefused.inc({ reason });
    },
    async handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      scrapeCounts = null;
      const body = await registry.metrics().finally(() => (scrapeCounts = null));
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

/** Maps what an upload resolver threw to the reason it is counted under. */
export function uploadRefusalReason(error: unknown): UploadRefusalReason {
  if (error instanceof QuotaExceededError) return 'quota';
  if (error instanceof FileTooLargeError) return 'too_large';
  if (error instanceof InvalidImageError) return 'invalid_image';
  if (error instanceof ValidationError) return 'invalid_input';
  if (error instanceof QueueFullError) return 'server_busy';
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  if (code === RequestErrorCodes.UNAUTHENTICATED) return 'unauthenticated';
  if (code === RequestErrorCodes.PAYLOAD_TOO_LARGE) return 'too_large';
  if (code === RequestErrorCodes.SERVER_BUSY) return 'server_busy';
  return 'error';
}
