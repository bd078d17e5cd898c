// Independent parts of one job (AUTO's searches, one per format) run in the list's order, each in
// the first free slot: the job's own queue slot, or one the queue lends while it is free and nobody
// waits (ImageJobContext.spareSlot), one part per loan. With no slot to spare they run one after
// the other, exactly as in a job that holds one slot.

/** Asks the queue for a free slot; returns the function that gives it back, or null. */
export type SpareSlot = () => (() => void) | null;

/**
 * Runs every part and returns their results in the list's order. A part that fails stops the
 * others from starting; the call settles only once every started part has ended (their pipelines
 * hold slots), then throws the first failure.
 */
export async function sideBySide<T>(parts: Array<() => Promise<T>>, spareSlot?: SpareSlot): Promise<T[]> {
  const results = new Array<T>(parts.length);
  let next = 0;
  let failed = false;
  const runNext = async () => {
    const index = next++;
    try {
      results[index] = await parts[index]!();
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  const lendIfUseful = () => (!failed && next < parts.length ? (spareSlot?.() ?? null) : null);
  const own = async () => {
    while (!failed && next < parts.length) await runNext();
  };
  // A loan is only asked for while a part waits, and that part starts before anything else can.
  const lent = async (giveBack: () => void) => {
    for (let loan: (() => void) | null = giveBack; loan; loan = lendIfUseful()) {
      try {
        await runNext();
      } finally {
        loan();
      }
    }
  };
  const lanes = [own()];
  for (let loan = lendIfUseful(); loan; loan = lendIfUseful()) lanes.push(lent(loan));
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((lane) => lane.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}
