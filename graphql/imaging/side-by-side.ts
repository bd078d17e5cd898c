// Independent parts of one job (AUTO's searches, one per format) run one after the other in the
// job's own queue slot, and side by side in slots the queue lends while they are free and nobody
// waits (ImageJobContext.spareSlot). The own slot takes parts from the front of the list, a lent
// slot from the back, one part per loan: with no slot to spare the order is the list's, exactly as
// before, and with one the part listed last starts at once.

/** Asks the queue for a free slot; returns the function that gives it back, or null. */
export type SpareSlot = () => (() => void) | null;

/**
 * Runs every part and returns their results in the list's order. A part that fails stops the
 * others from starting; the call settles only once every started part has ended (their pipelines
 * hold slots), then throws the first failure.
 */
export async function sideBySide<T>(parts: Array<() => Promise<T>>, spareSlot?: SpareSlot): Promise<T[]> {
  const results = new Array<T>(parts.length);
  // parts[front, back) have not started.
  let front = 0;
  let back = parts.length;
  let failed = false;
  const run = async (index: number) => {
    try {
      results[index] = await parts[index]!();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  const own = async () => {
    while (!failed && front < back) await run(front++);
  };
  const lent = async (giveBack: () => void) => {
    let loan: (() => void) | null = giveBack;
    while (loan) {
      try {
        if (failed || front >= back) return;
        await run(--back);
      } finally {
        loan();
      }
      loan = failed ? null : lendIfUseful();
    }
  };
  const lendIfUseful = () => (front < back ? (spareSlot?.() ?? null) : null);
  const lanes = [own()];
  for (let loan = lendIfUseful(); loan; loan = lendIfUseful()) lanes.push(lent(loan));
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((lane) => lane.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}
