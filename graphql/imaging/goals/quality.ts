// A fixed encoder quality: one encode of the prepared pixels at the effort asked for, measured
// only when the caller wants the SSIM.
import type { CompressedImage } from '../compress.ts';
import type { CompressGoal } from '../compress-options.ts';
import type { EncodeSession } from '../encode-session.ts';

export async function encodeAtQuality(session: EncodeSession, goal: Extract<CompressGoal, { kind: 'quality' }>): Promise<CompressedImage> {
  const { plan, prepared, formats, evaluatorFor, result } = session;
  const format = formats[0]!;
  return result(format, await evaluatorFor(prepared, plan.effort)(format, plan.measureSsim)(goal.quality));
}
