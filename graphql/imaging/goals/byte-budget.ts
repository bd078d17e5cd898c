// The best-looking output that fits in a byte budget: per format, the highest quality under it;
// AUTO keeps the format whose fitting output has the highest SSIM.
import { TargetUnreachableError } from '../../errors.ts';
import type { CompressedImage } from '../compress.ts';
import type { CompressGoal, OutputFormat } from '../compress-options.ts';
import { budgetSearch, type Trial } from '../search.ts';
import { SEARCH_START, type EncodeSession } from '../encode-session.ts';

export async function searchByteBudget(session: EncodeSession, goal: Extract<CompressGoal, { kind: 'bytes' }>): Promise<CompressedImage> {
  const { plan, prepared, formats, signal, evaluator, evaluatorFor, measure, result, effortOf, searchEffort } = session;
  let best: { format: OutputFormat; trial: Trial } | null = null;
  for (const format of formats) {
    const search = await budgetSearch(evaluator(format, false), goal.maxBytes, SEARCH_START[format], { signal });
    if (!search.below) continue;
    let trial = {
      ...search.below,
      ssim: plan.measureSsim || formats.length > 1 || plan.effort === 'SMALLEST' ? await measure(search.below.data) : null,
    };
    effortOf.set(trial, effortOf.get(search.below) ?? searchEffort);
    if (plan.effort === 'SMALLEST') {
      const slow = await evaluatorFor(prepared, 'SMALLEST')(format, true)(trial.quality);
      if (slow.bytes <= goal.maxBytes && (slow.ssim ?? 0) >= (trial.ssim ?? 0)) trial = slow;
    }
    // AUTO within a budget: the best-looking output that fits.
    if (!best || (trial.ssim ?? 0) > (best.trial.ssim ?? 0) || (trial.ssim === best.trial.ssim && trial.bytes < best.trial.bytes)) {
      best = { format, trial };
    }
  }
  if (!best) {
    throw new TargetUnreachableError(
      `Even at quality 1 the output is larger than ${goal.maxBytes} bytes; allow more bytes or a smaller size.`,
    );
  }
  return result(best.format, best.trial);
}
