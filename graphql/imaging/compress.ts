// The engine: an image file in, one encoded output with its quality and SSIM out. The original is
// decoded and prepared once (prepared-pixels.ts); then one goal module meets what was asked for:
// a fixed quality (goals/quality.ts), an SSIM target (goals/ssim-target.ts) or a byte budget
// (goals/byte-budget.ts). Runs inside an ImageQueue job and obeys its deadline.
import sharp, { type Metadata } from 'sharp';
import type { ImageFormat } from '../store/records.ts';
import { defaultOutputFormat, hasEdits, type CompressPlan, type OutputFormat } from './compress-options.ts';
import type { EncodeEffort } from './encoders.ts';
import { openEncodeSession } from './encode-session.ts';
import { searchByteBudget } from './goals/byte-budget.ts';
import { encodeAtQuality } from './goals/quality.ts';
import { searchSsimTarget } from './goals/ssim-target.ts';
import { classifySharpError, type ImageLimits } from './inspect.ts';
import { encodeInOnePipeline, prepare, type Prepared } from './prepared-pixels.ts';
import type { ImageJobContext } from './queue.ts';
import type { SsimPool } from './ssim-pool.ts';
import { checkPlanFits, displayedSize } from './transform.ts';

export interface CompressedImage {
  format: OutputFormat;
  mimeType: string;
  data: Buffer;
  width: number;
  height: number;
  quality: number;
  ssim: number | null;
  /** The encoder effort that made `data` (a search's trials use BALANCED even when SMALLEST is asked). */
  effort: EncodeEffort;
}

export interface CompressRequest {
  /** Path of the original. */
  input: string;
  originalFormat: ImageFormat;
  plan: CompressPlan;
  limits: ImageLimits;
  /** The original's header, when the caller has read it already (a one-shot upload checks it first). */
  metadata?: Metadata;
}

export async function compressImage(ssimPool: SsimPool, request: CompressRequest, job: ImageJobContext): Promise<CompressedImage> {
  const seconds = () => Math.max(1, Math.ceil(job.remainingMs() / 1000));
  const { plan } = request;
  const { goal } = plan;
  const requested = plan.format ?? defaultOutputFormat(request.originalFormat);
  let metadata: Metadata;
  let prepared: Prepared;
  try {
    metadata = request.metadata ?? (await sharp(request.input, { limitInputPixels: request.limits.maxPixels }).metadata());
  } catch (error) {
    job.signal.throwIfAborted();
    throw classifySharpError(error, request.limits);
  }
  if (hasEdits(plan)) checkPlanFits(plan, displayedSize(metadata), request.limits);
  try {
    if (
      goal.kind === 'quality' &&
      !plan.measureSsim &&
      requested !== 'AUTO' &&
      !hasEdits(plan) &&
      (!metadata.hasAlpha || requested === 'JPEG')
    ) {
      // Nothing to search and nothing to measure: one libvips pipeline from the file to the
      // encoder, without the resized pixels ever leaving libvips. (An alpha channel needs the
      // pixels looked at first: an opaque one is dropped, which only JPEG does by itself.)
      return await encodeInOnePipeline(request, metadata, requested, goal.quality, seconds());
    }
    prepared = await prepare(request, metadata, seconds);
  } catch (error) {
    job.signal.throwIfAborted();
    throw classifySharpError(error, request.limits);
  }

  const session = openEncodeSession({
    plan,
    prepared,
    requested,
    ssimPool,
    signal: job.signal,
    seconds,
    remainingMs: job.remainingMs,
    spareSlot: () => job.spareSlot?.() ?? null,
  });
  switch (goal.kind) {
    case 'quality':
      return encodeAtQuality(session, goal);
    case 'ssim':
      return searchSsimTarget(session, goal);
    case 'bytes':
      return searchByteBudget(session, goal);
  }
}
