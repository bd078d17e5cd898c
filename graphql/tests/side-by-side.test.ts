// Independent parts of one image job side by side in slots the queue lends (imaging/side-by-side.ts),
// through a real ImageQueue: one after the other when no slot is spare, the next part at once when
// one is, every loan given back, and a failure reported only once every started part has ended.
import { describe, expect, it } from 'vitest';
import { ImageQueue, type ImageJobContext } from '../imaging/queue.ts';
import { sideBySide } from '../imaging/side-by-side.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

/** Parts that log when they start and end, part i taking `ms(i)`; `failing` throws at its end. */
function loggedParts(count: number, ms: (index: number) => number, failing?: number) {
  const log: string[] = [];
  let running = 0;
  let mostRunning = 0;
  const parts = Array.from({ length: count }, (_, index) => async () => {
    log.push(`start ${index}`);
    running += 1;
    mostRunning = Math.max(mostRunning, running);
    await new Promise((resolve) => setTimeout(resolve, ms(index)));
    running -= 1;
    log.push(`end ${index}`);
    if (index === failing) throw new Error(`part ${index} failed`);
    return index * 10;
  });
  return { log, parts, mostRunning: () => mostRunning };
}

function runInQueue<T>(concurrency: number, work: (job: ImageJobContext) => Promise<T>) {
  const queue = new ImageQueue({ concurrency, maxWaiting: 10, jobTimeoutMs: 10_000 });
  return { queue, done: queue.run(work) };
}

describe('sideBySide', () => {
  it('runs the parts one after the other, in order, when the queue has no slot to spare', async () => {
    const { log, parts, mostRunning } = loggedParts(3, () => 5);
    const { done } = runInQueue(1, (job) => sideBySide(parts, job.spareSlot));
    expect(await done).toEqual([0, 10, 20]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(mostRunning()).toBe(1);
  });

  it('starts the second part at once in a lent slot, gives the slot back after each part, and keeps the results in order', async () => {
    const { log, parts, mostRunning } = loggedParts(4, () => 10);
    const { queue, done } = runInQueue(2, (job) => sideBySide(parts, job.spareSlot));
    await tick();
    expect(log.slice(0, 2)).toEqual(['start 0', 'start 1']);
    expect(queue.running).toBe(2);
    expect(await done).toEqual([0, 10, 20, 30]);
    expect(mostRunning()).toBe(2);
    await tick();
    expect(queue.running).toBe(0);
  });

  it('starts nothing more once a part fails, and rejects only after every started part has ended', async () => {
    // Part 0 fails early; part 1, beside it, runs on for longer.
    const { log, parts } = loggedParts(4, (index) => (index === 0 ? 5 : 30), 0);
    const { queue, done } = runInQueue(2, (job) => sideBySide(parts, job.spareSlot));
    const outcome = await done.catch((error: Error) => error.message);
    expect(outcome).toBe('part 0 failed');
    // Part 1 ran beside part 0 and had ended by then; parts 2 and 3 never started.
    expect(log).toEqual(['start 0', 'start 1', 'end 0', 'end 1']);
    await tick();
    expect(queue.running).toBe(0);
  });
});
