// The best-looking output that fits in a byte budget: per format, the highest quality under it;
// AUTO keeps the format whose fitting output has the highest SSIM.
import { TargetUnreachableError } from '../../errors.ts';
import type { CompressedImage } from '../compress.ts';
import type { CompressGoal, OutputFormat } from '../compress-options.ts';
import { budgetSearch, type Trial } from '../search.ts';
import { SEARCH_START, type EncodeSession } from '../encode-session.ts';

export async function searchByteBudget(session: EncodeSession, goal: Extract<CompressGoal, { kind: 'bytes' }>): Promise<CompressedImage> {
  const { plan, prepared, formats, signal, evaluator, evaluatorFor, measure, result, effortOf, searchEffort } = session;
  // Each format's search is independent: side by side when the queue can spare a slot.
  const fitting = await session.sideBySide(
    formats.map((format) => async (): Promise<{ format: OutputFormat; trial: Trial } | null> => {
      const search = await budgetSearch(evaluator(format, false), goal.maxBytes, SEARCH_START[format], { signal });
      if (!search.below) return null;
      let trial = {
        ...search.below,
        ssim: plan.measureSsim || formats.length > 1 || plan.effort === 'SMALLEST' ? await measure(search.below.data) : null,
      };
      effortOf.set(trial, effortOf.get(search.below) ?? searchEffort);
      if (plan.effort === 'SMALLEST') {
        const slow = await evaluatorFor(prepared, 'SMALLEST')(format, true)(trial.quality);
        if (slow.bytes <= goal.maxBytes && (slow.ssim ?? 0) >= (trial.ssim ?? 0)) trial = slow;
      }
      return { format, trial };
    }),
  );
  // AUTO within a budget: the best-looking output that fits (the fewer bytes, then the earlier format, on a tie).
  let best: { format: OutputFormat; trial: Trial } | null = null;
  for (const candidate of fitting) {
    if (!candidate) continue;
    const { trial } = candidate;
    if (!best || (trial.ssim ?? 0) > (best.trial.ssim ?? 0) || (trial.ssim === best.trial.ssim && trial.bytes < best.trial.bytes)) {
      best = candidate;
    }
  }
  if (!best) {
    throw new TargetUnreachableError(
      `Even at quality 1 the output is larger than ${goal.maxBytes} bytes; allow more bytes or a smaller size.`,
    );
  }
  return result(best.format, best.trial);
}
