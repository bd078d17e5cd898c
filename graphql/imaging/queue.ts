// sharp pipelines run one per core (sharp.concurrency() is 1 here, and parallel pipelines scale),
// the rest wait in a bounded queue, and a full queue refuses work at once rather than piling up
// decoded images until memory runs out. Each job has a time limit: its signal aborts (jobs pass
// the remaining time to sharp's own .timeout() and stop between steps) and the caller gets an
// ImageJobTimeoutError at once, while the slot stays taken until the job has really stopped, so
// the bound on concurrent pipelines holds even for a job that overran.
import PQueue from 'p-queue';

export class QueueFullError extends Error {
  constructor(waiting: number) {
    super(`The image queue is full (${waiting} jobs waiting); try again shortly.`);
    this.name = 'QueueFullError';
  }
}

export class ImageJobTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`The image took longer than ${timeoutMs / 1000} s to process.`);
    this.name = 'ImageJobTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export interface ImageQueueOptions {
  concurrency: number;
  maxWaiting: number;
  /** Longest a job may run, from when it starts (not while it waits). */
  jobTimeoutMs: number;
}

/** What a running job is told: when to stop, and how long it has left. */
export interface ImageJobContext {
  signal: AbortSignal;
  /** Milliseconds until the deadline (0 once passed). */
  remainingMs(): number;
}

export class ImageQueue {
  private readonly queue: PQueue;
  private readonly maxWaiting: number;
  private readonly jobTimeoutMs: number;

  constructor(options: ImageQueueOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.maxWaiting = options.maxWaiting;
    this.jobTimeoutMs = options.jobTimeoutMs;
  }

  /** Runs the job when a slot is free; throws QueueFullError when too many already wait. */
  run<T>(job: (context: ImageJobContext) => Promise<T>): Promise<T> {
    // Only jobs that would wait count against the limit (IMAGE_QUEUE_SIZE=0 means none may wait).
    const slotFree = this.queue.pending < this.queue.concurrency;
    if (!slotFree && this.queue.size >= this.maxWaiting) return Promise.reject(new QueueFullError(this.queue.size));
    return new Promise<T>((resolve, reject) => {
      void this.queue.add(async () => {
        const controller = new AbortController();
        const deadline = Date.now() + this.jobTimeoutMs;
        const timer = setTimeout(() => {
          const error = new ImageJobTimeoutError(this.jobTimeoutMs);
          controller.abort(error);
          reject(error);
        }, this.jobTimeoutMs);
        try {
          resolve(await job({ signal: controller.signal, remainingMs: () => Math.max(0, deadline - Date.now()) }));
        } catch (error) {
          reject(error);
        } finally {
          clearTimeout(timer);
        }
      });
    });
  }

  get waiting(): number {
    return this.queue.size;
  }

  get running(): number {
    return this.queue.pending;
  }

  /** Resolves when nothing runs or waits: for graceful shutdown. */
  idle(): Promise<void> {
    return this.queue.onIdle();
  }
}
