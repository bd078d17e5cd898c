// A few worker threads that compute SSIM off the event loop. Workers start on first use and
// stay (starting one is not free); close() ends them. Image jobs are already bounded by the
// ImageQueue, so the pool needs no queue limit of its own: it is sized like the image queue.
import { Worker } from 'node:worker_threads';
import type { LumaPlane, RawPixels } from './ssim.ts';
import type { SsimReply, SsimRequest } from './ssim-worker.ts';

const WORKER_URL = new URL('./ssim-worker.ts', import.meta.url);

interface PendingTask {
  request: SsimRequest;
  resolve(ssim: number): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  task: PendingTask | null;
  /** The reference whose terms this worker keeps (the last keyed one it was sent). */
  keptKey: number | undefined;
}

export class SsimPool {
  private readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private readonly backlog: PendingTask[] = [];
  private nextId = 1;
  /** References in shared memory, with the key workers keep their terms under, by the plane they were copied from. */
  private readonly sharedReferences = new WeakMap<Uint8Array, { data: Uint8Array; key: number }>();
  private nextReferenceKey = 1;
  private closed = false;

  constructor(size: number) {
    this.size = Math.max(1, size);
  }

  /**
   * SSIM of two luma planes, or of RGB pixels whose luma the worker takes. Buffers that sharp allocates natively cannot be transferred, and
   * posting them would copy them twice (out of this thread, into the worker's heap): each plane
   * is copied once into shared memory instead, and a reference compared against many candidates
   * only the first time. With `repeated` (a search: more candidates will follow), the worker that
   * measured keeps the reference's window terms, and the next comparison with it goes to that
   * worker when it is free (ssim-worker.ts).
   */
  compare(reference: LumaPlane | RawPixels, candidate: LumaPlane | RawPixels, { repeated = false } = {}): Promise<number> {
    if (this.closed) return Promise.reject(new Error('The SSIM pool is closed.'));
    return new Promise((resolve, reject) => {
      const shared = this.shared(reference);
      this.backlog.push({
        request: {
          id: this.nextId++,
          reference: shared.plane,
          candidate: shareOnce(candidate),
          ...(repeated ? { referenceKey: shared.key } : {}),
        },
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  private shared<Plane extends LumaPlane | RawPixels>(plane: Plane): { plane: Plane; key: number } {
    let entry = this.sharedReferences.get(plane.data);
    if (!entry) {
      entry = { data: shareOnce(plane).data, key: this.nextReferenceKey++ };
      this.sharedReferences.set(plane.data, entry);
    }
    return { plane: { ...plane, data: entry.data }, key: entry.key };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.backlog.splice(0)) task.reject(new Error('The SSIM pool is closed.'));
    await Promise.all(this.workers.splice(0).map(({ worker }) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.backlog.length > 0) {
      const key = this.backlog[0]!.request.referenceKey;
      let idle =
        (key !== undefined ? this.workers.find((entry) => entry.task === null && entry.keptKey === key) : undefined) ??
        this.workers.find((entry) => entry.task === null);
      if (!idle && this.workers.length < this.size) idle = this.spawn();
      if (!idle) return;
      const task = this.backlog.shift()!;
      idle.task = task;
      if (key !== undefined) idle.keptKey = key;
      try {
        idle.worker.postMessage(task.request);
      } catch (error) {
        idle.task = null;
        task.reject(error as Error);
      }
    }
  }

  private spawn(): PoolWorker {
    const entry: PoolWorker = { worker: new Worker(WORKER_URL), task: null, keptKey: undefined };
    // An idle pool must not keep the process alive.
    entry.worker.unref();
    entry.worker.on('message', (reply: SsimReply) => {
      const task = entry.task;
      entry.task = null;
      if (task) {
        if ('error' in reply) task.reject(new Error(reply.error));
        else task.resolve(reply.ssim);
      }
      this.dispatch();
    });
    entry.worker.on('error', (error) => this.retire(entry, error));
    entry.worker.on('exit', (code) => this.retire(entry, new Error(`SSIM worker exited with code ${code}`)));
    this.workers.push(entry);
    return entry;
  }

  /** A crashed worker fails its task and is replaced on the next dispatch. */
  private retire(entry: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers.splice(index, 1);
    entry.task?.reject(error);
    entry.task = null;
    if (!this.closed) this.dispatch();
  }
}

function shareOnce<Plane extends LumaPlane | RawPixels>(plane: Plane): Plane {
  if (plane.data.buffer instanceof SharedArrayBuffer) return plane;
  const data = new Uint8Array(new SharedArrayBuffer(plane.data.byteLength));
  data.set(plane.data);
  return { ...plane, data };
}
