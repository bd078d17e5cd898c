// sharp pipelines run one per core (sharp.concurrency() is 1 here, and parallel pipelines scale),
// the rest wait in a bounded queue, and a full queue refuses work at once rather than piling up
// decoded images until memory runs out.
import PQueue from 'p-queue';

export class QueueFullError extends Error {
  constructor(waiting: number) {
    super(`The image queue is full (${waiting} jobs waiting); try again shortly.`);
    this.name = 'QueueFullError';
  }
}

export interface ImageQueueOptions {
  concurrency: number;
  maxWaiting: number;
}

export class ImageQueue {
  private readonly queue: PQueue;
  private readonly maxWaiting: number;

  constructor(options: ImageQueueOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.maxWaiting = options.maxWaiting;
  }

  /** Runs the job when a slot is free; throws QueueFullError when too many already wait. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.queue.size >= this.maxWaiting) return Promise.reject(new QueueFullError(this.queue.size));
    return this.queue.add(job) as Promise<T>;
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
