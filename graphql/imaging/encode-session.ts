// What each goal (goals/*.ts) works with once the pixels are prepared: evaluators that encode them
// at a quality and, when asked, measure the output's SSIM against the reference; the formats in
// play; and the way a winning trial becomes the engine's answer.
import sharp from 'sharp';
import type { CompressedImage } from './compress.ts';
import type { CompressPlan, OutputFormat, RequestedFormat } from './compress-options.ts';
import { encodePixels, mimeTypeOf, type EncodeEffort } from './encoders.ts';
import { ssimPlaneOf, type Prepared } from './prepared-pixels.ts';
import type { Trial } from './search.ts';
import { sideBySide, type SpareSlot } from './side-by-side.ts';
import type { SsimPool } from './ssim-pool.ts';

/** Where searches start: near where each format usually lands for photographs. */
export const SEARCH_START: Record<OutputFormat, number> = { JPEG: 80, PNG: 80, WEBP: 75, AVIF: 60 };
/**
 * AUTO's candidates, in the order their searches start: AVIF's, the longest, first (so that beside
 * it, in a slot the queue lends, the others fit in its time), then JPEG's, so that WebP's, often far
 * larger at high targets, can stop early against both.
 */
const AUTO_FORMATS: OutputFormat[] = ['AVIF', 'JPEG', 'WEBP'];

/** Encodes the pixels of `source` in a format at a quality, with the SSIM when `withSsim`. */
export type EvaluatorFactory = (format: OutputFormat, withSsim: boolean) => (quality: number) => Promise<Trial>;

export interface EncodeSession {
  plan: CompressPlan;
  prepared: Prepared;
  /** The format asked for: one of `formats`, or AUTO. */
  requested: RequestedFormat;
  /** The formats to try: the one asked for, or AUTO's candidates that suit the pixels. */
  formats: OutputFormat[];
  signal: AbortSignal;
  /** Whole seconds left before the job's deadline (at least 1), for libvips' timeouts. */
  seconds: () => number;
  /** Milliseconds left before the job's deadline: SMALLEST's slow encodes are only started when they fit. */
  remainingMs: () => number;
  /** Runs independent parts of the job (AUTO's per-format searches) side by side in spare queue slots, when free. */
  sideBySide: <T>(parts: Array<() => Promise<T>>) => Promise<T[]>;
  /** How long each trial took to encode and measure, so a slow search can tell whether another fits. */
  elapsedOf: WeakMap<Trial, number>;
  /** The effort of a search's trials: never SMALLEST's slow encoders (the answer is re-encoded). */
  searchEffort: EncodeEffort;
  /** Which effort made each trial, so the answer says how to make it again (preview tickets). */
  effortOf: WeakMap<Trial, EncodeEffort>;
  /** Evaluators over other pixels (a proxy mosaic) or at another effort. */
  evaluatorFor: (source: Prepared, effort?: EncodeEffort) => EvaluatorFactory;
  /** Evaluators over the prepared pixels at the search effort. */
  evaluator: EvaluatorFactory;
  /** SSIM of encoded bytes against the prepared reference; null when too small to measure. */
  measure: (data: Buffer) => Promise<number | null>;
  result: (format: OutputFormat, trial: Trial) => CompressedImage;
}

interface SessionInputs {
  plan: CompressPlan;
  prepared: Prepared;
  requested: RequestedFormat;
  ssimPool: SsimPool;
  signal: AbortSignal;
  seconds: () => number;
  remainingMs: () => number;
  spareSlot?: SpareSlot;
}

export function openEncodeSession({
  plan,
  prepared,
  requested,
  ssimPool,
  signal,
  seconds,
  remainingMs,
  spareSlot,
}: SessionInputs): EncodeSession {
  const measureAgainst = async (source: Prepared, data: Buffer): Promise<number | null> => {
    if (!source.reference) return null;
    const candidate = await ssimPlaneOf(sharp(data), source.pixels.channels, seconds(), source.matte);
    // A target or a budget is searched for: the same reference is compared with several trials.
    return ssimPool.compare(source.reference, candidate, { repeated: plan.goal.kind !== 'quality' });
  };
  const searchEffort: EncodeEffort = plan.effort === 'FAST' ? 'FAST' : 'BALANCED';
  const effortOf = new WeakMap<Trial, EncodeEffort>();
  const elapsedOf = new WeakMap<Trial, number>();
  const evaluatorFor =
    (source: Prepared, effort: EncodeEffort = searchEffort): EvaluatorFactory =>
    (format, withSsim) =>
    async (quality) => {
      signal.throwIfAborted();
      const started = performance.now();
      try {
        const data = await encodePixels(source.pixels, format, quality, seconds(), effort, source.matte);
        const trial: Trial = { quality, bytes: data.length, ssim: withSsim ? await measureAgainst(source, data) : null, data };
        effortOf.set(trial, effort);
        elapsedOf.set(trial, performance.now() - started);
        return trial;
      } catch (error) {
        signal.throwIfAborted();
        throw error;
      }
    };
  return {
    plan,
    prepared,
    requested,
    formats: requested === 'AUTO' ? AUTO_FORMATS.filter((format) => format !== 'JPEG' || prepared.pixels.channels === 3) : [requested],
    signal,
    seconds,
    remainingMs,
    sideBySide: (parts) => sideBySide(parts, spareSlot),
    searchEffort,
    effortOf,
    elapsedOf,
    evaluatorFor,
    evaluator: evaluatorFor(prepared),
    measure: (data) => measureAgainst(prepared, data),
    result: (format, trial) => ({
      format,
      mimeType: mimeTypeOf(format),
      data: trial.data,
      width: prepared.pixels.width,
      height: prepared.pixels.height,
      quality: trial.quality,
      ssim: trial.ssim,
      effort: effortOf.get(trial) ?? plan.effort,
    }),
  };
}
