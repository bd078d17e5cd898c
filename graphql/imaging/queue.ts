// sharp pipelines run one per core (sharp.concurrency() is 1 here, and parallel pipelines scale),
// the rest wait in a bounded queue, and a full queue refuses work at once rather than piling up
// decoded images until memory runs out. Each job has a time limit: its signal aborts (jobs pass
// the remaining time to sharp's own .timeout() and stop between steps) and the caller gets an
// ImageJobTimeoutError at once, while the slot stays taken until the job has really stopped, so
// the bound on concurrent pipelines holds even for a job that overran.
//
// Fair share: every job has an owner (the signed-in user, from the request's job scope). One
// owner may hold only so many running slots and waiting places, and free slots go to the waiting
// owners in turn (round-robin), so one user's burst delays another user's job by at most one job
// per slot rather than by the whole burst.
//
// Share without waste: an owner's share only binds while someone else waits. A short job (one
// decode and one fast encode, no search: see ImageJobOptions.short) may also take a free slot
// beyond its owner's share when no one else is waiting, since it gives the slot back within one
// such job; a long job never starts beyond its share, so whoever arrives next waits at most for
// one short job (or one lent part, below). One user alone on the machine thus gets every core for
// the one-shot work, while a search still leaves room for others.
//
// Lending: a running job made of independent parts (AUTO's search, one format per part) may borrow
// a free slot for one part at a time, on the same terms: only while nobody waits, and given back
// after the part, so whoever arrives meanwhile waits at most for that part (imaging/side-by-side.ts).
// With IMAGE_QUEUE_SIZE=0 nothing may wait, so a job arriving while a slot is lent is refused, as
// while a short job holds it.
import { AsyncLocalStorage } from 'node:async_hooks';

export class QueueFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueFullError';
  }
}

export class ImageJobTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    // Not "try again": the same job would run into the same limit.
    super(
      `Processing this image was stopped at its ${timeoutMs / 1000} s limit. Ask for a smaller size or a faster format (JPEG or WebP) instead.`,
    );
    this.name = 'ImageJobTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export interface ImageQueueOptions {
  concurrency: number;
  maxWaiting: number;
  /** Longest a job may run, from when it starts (not while it waits). */
  jobTimeoutMs: number;
  /** Slots one owner may use at once (default: all of them). */
  runningPerOwner?: number;
  /** Jobs one owner may have waiting (default: maxWaiting). */
  waitingPerOwner?: number;
}

export interface ImageJobOptions {
  /**
   * A job whose length is bounded by one decode and one fast encode (a fixed-quality JPEG or WebP,
   * an upload's thumbnails): it may borrow a slot beyond its owner's share while nobody waits.
   */
  short?: boolean;
}

/** What a running job is told: when to stop, how long it has left, and whether a spare slot is free. */
export interface ImageJobContext {
  signal: AbortSignal;
  /** Milliseconds until the deadline (0 once passed). */
  remainingMs(): number;
  /**
   * A second slot for one independent part of the job (one format's search), lent only while a
   * slot is free and no job waits: returns the function that gives it back, or null. Absent, the
   * job runs in its one slot.
   */
  spareSlot?(): (() => void) | null;
}

/** Set per GraphQL execution (http/use-image-jobs.ts): whose jobs these are, and their time limit. */
export interface ImageJobScope {
  owner: string;
  /** A shorter limit than the queue's own (previews). */
  timeoutMs?: number;
  /** Aborts when the client went away: a waiting job leaves the queue, a running one stops. */
  signal?: AbortSignal;
}

export class ImageJobCancelledError extends Error {
  constructor() {
    super('The request was cancelled.');
    this.name = 'ImageJobCancelledError';
  }
}

export const imageJobScope = new AsyncLocalStorage<ImageJobScope>();

interface Waiting {
  short: boolean;
  start(): void;
}

export class ImageQueue {
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private readonly jobTimeoutMs: number;
  private readonly runningPerOwner: number;
  private readonly waitingPerOwner: number;
  /** Owners with waiting jobs, in the order they get the next free slot. */
  private readonly queues = new Map<string, Waiting[]>();
  private readonly runningByOwner = new Map<string, number>();
  /** When each owner with work here last got a slot (a counter): the longest unserved goes next. */
  private readonly lastServed = new Map<string, number>();
  private serveCounter = 0;
  private runningCount = 0;
  private waitingCount = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(options: ImageQueueOptions) {
    this.concurrency = options.concurrency;
    this.maxWaiting = options.maxWaiting;
    this.jobTimeoutMs = options.jobTimeoutMs;
    this.runningPerOwner = Math.max(1, Math.min(options.runningPerOwner ?? options.concurrency, options.concurrency));
    this.waitingPerOwner = options.waitingPerOwner ?? options.maxWaiting;
  }

  /** Runs the job when a slot is free; throws QueueFullError when too many already wait. */
  run<T>(job: (context: ImageJobContext) => Promise<T>, { short = false }: ImageJobOptions = {}): Promise<T> {
    const scope = imageJobScope.getStore();
    const owner = scope?.owner ?? 'anonymous';
    const timeoutMs = Math.min(scope?.timeoutMs ?? this.jobTimeoutMs, this.jobTimeoutMs);
    const cancel = scope?.signal;
    if (cancel?.aborted) return Promise.reject(new ImageJobCancelledError());
    return new Promise<T>((resolve, reject) => {
      const start = () => this.start(owner, timeoutMs, job, resolve, reject, cancel);
      if (this.waitingCount === 0 && this.canStart(owner, short)) return start();
      // Only jobs that would wait count against the limits (IMAGE_QUEUE_SIZE=0 means none may wait).
      const mine = this.queues.get(owner)?.length ?? 0;
      if (this.waitingCount >= this.maxWaiting) {
        return reject(new QueueFullError(`The image queue is full (${this.waitingCount} jobs waiting); try again shortly.`));
      }
      if (mine >= this.waitingPerOwner) {
        return reject(
          new QueueFullError(
            `You already have ${this.ownerRunning(owner)} image jobs running and ${mine} waiting; wait for them to finish.`,
          ),
        );
      }
      const queue = this.queues.get(owner) ?? [];
      const waiting: Waiting = {
        short,
        start: () => {
          cancel?.removeEventListener('abort', leave);
          start();
        },
      };
      const leave = () => this.leave(owner, waiting, () => reject(new ImageJobCancelledError()));
      cancel?.addEventListener('abort', leave, { once: true });
      queue.push(waiting);
      this.queues.set(owner, queue);
      this.waitingCount += 1;
      this.dispatch();
    });
  }

  get waiting(): number {
    return this.waitingCount;
  }

  get running(): number {
    return this.runningCount;
  }

  /** Resolves when nothing runs or waits: for graceful shutdown. */
  idle(): Promise<void> {
    if (this.runningCount === 0 && this.waitingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** A waiting job whose client went away gives up its place. */
  private leave(owner: string, waiting: Waiting, then: () => void): void {
    const queue = this.queues.get(owner);
    const index = queue?.indexOf(waiting) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(owner);
    this.waitingCount -= 1;
    then();
    if (this.runningCount === 0 && this.waitingCount === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private ownerRunning(owner: string): number {
    return this.runningByOwner.get(owner) ?? 0;
  }

  /** A free slot, within the owner's share or (for a short job, when called with nobody waiting) beyond it. */
  private canStart(owner: string, short: boolean): boolean {
    return this.runningCount < this.concurrency && (short || this.ownerRunning(owner) < this.runningPerOwner);
  }

  /**
   * Hands free slots to waiting owners in turn: the owner served longest ago goes first, among
   * owners within their share; only when none waits does a slot go to a short job beyond its
   * owner's share.
   */
  private dispatch(): void {
    while (this.runningCount < this.concurrency) {
      const next = this.nextOwner((owner) => this.ownerRunning(owner) < this.runningPerOwner) ?? this.nextOwner(() => true, true);
      if (!next) return;
      const waiting = next.queue.shift()!;
      if (next.queue.length === 0) this.queues.delete(next.owner);
      this.waitingCount -= 1;
      waiting.start();
    }
  }

  /** Of the owners with waiting jobs that pass `eligible` (and whose next job is short, if asked), the one served longest ago. */
  private nextOwner(eligible: (owner: string) => boolean, shortOnly = false): { owner: string; queue: Waiting[] } | undefined {
    let next: { owner: string; queue: Waiting[] } | undefined;
    for (const [owner, queue] of this.queues) {
      if (!eligible(owner) || (shortOnly && !queue[0]!.short)) continue;
      if (!next || (this.lastServed.get(owner) ?? 0) < (this.lastServed.get(next.owner) ?? 0)) next = { owner, queue };
    }
    return next;
  }

  /**
   * A free slot lent to a running job while nobody waits (like a short job's, beyond the owner's
   * share): the job gives it back after one part, so whoever arrives meanwhile waits at most for that part.
   */
  private lend(owner: string): (() => void) | null {
    if (this.waitingCount > 0 || !this.canStart(owner, true)) return null;
    this.runningCount += 1;
    this.runningByOwner.set(owner, this.ownerRunning(owner) + 1);
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      this.giveBack(owner);
    };
  }

  /** A slot is free again (a job ended, or a lent slot came back): the next waiting job gets it. */
  private giveBack(owner: string): void {
    this.runningCount -= 1;
    const left = this.ownerRunning(owner) - 1;
    if (left > 0) this.runningByOwner.set(owner, left);
    else this.runningByOwner.delete(owner);
    if (left <= 0 && !this.queues.has(owner)) this.lastServed.delete(owner);
    this.dispatch();
    if (this.runningCount === 0 && this.waitingCount === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private start<T>(
    owner: string,
    timeoutMs: number,
    job: (context: ImageJobContext) => Promise<T>,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
    cancel?: AbortSignal,
  ): void {
    this.runningCount += 1;
    this.runningByOwner.set(owner, this.ownerRunning(owner) + 1);
    this.lastServed.set(owner, ++this.serveCounter);
    const controller = new AbortController();
    const deadline = Date.now() + timeoutMs;
    const timer = setTimeout(() => {
      const error = new ImageJobTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    // The slot stays taken until the job has stopped, as after a timeout.
    const cancelled = () => {
      const error = new ImageJobCancelledError();
      controller.abort(error);
      reject(error);
    };
    cancel?.addEventListener('abort', cancelled, { once: true });
    const finished = () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', cancelled);
      this.giveBack(owner);
    };
    let running: Promise<T>;
    try {
      running = job({
        signal: controller.signal,
        remainingMs: () => Math.max(0, deadline - Date.now()),
        spareSlot: () => (controller.signal.aborted ? null : this.lend(owner)),
      });
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(resolve, reject).finally(finished);
  }
}
