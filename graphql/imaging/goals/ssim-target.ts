// The smallest output whose SSIM to the (edited, resized) original reaches a target. Large outputs
// are searched on a mosaic of their tiles first, then finished and verified at full size; AUTO
// tries each format and keeps the smallest, with palette PNG and lossless WebP for graphics.
import { TargetUnreachableError } from '../../errors.ts';
import type { CompressedImage } from '../compress.ts';
import type { CompressGoal, OutputFormat } from '../compress-options.ts';
import { surfaceOf } from '../surface.ts';
import { makeProxy } from '../prepared-pixels.ts';
import { MAX_QUALITY, qualityOnCurve, smallestBelow, ssimSearch, ssimSearchFromCurve, type Trial } from '../search.ts';
import { SEARCH_START, type EncodeSession } from '../encode-session.ts';

/** Outputs of at least this many pixels search for targetSsim on a mosaic of their tiles first. */
const PROXY_MIN_PIXELS = 500_000;
/** AUTO verifies at full size every format within this factor of the proxy's smallest. */
const AUTO_PROXY_MARGIN = 1.25;
/**
 * A proxy's search stops once its bracket is this narrow: the full-size search finishes it. On the
 * twelve mate-backgrounds nature photos at 1600 px (SSIM 0.98), 6 instead of 4 saved 4 of 61 JPEG,
 * 10 of 49 WebP and 9 of 69 AVIF proxy trials, with the same full-size trials and answers on every
 * photo (the last proxy trial rarely moved the full-size search's start; bench/RESULTS.md).
 */
const PROXY_TOLERANCE = 6;
/**
 * The mosaic's SSIM near a target usually runs about this much above the full image's (measured
 * on four photographs' curves): the first full-size trial reads the proxy's curve this much
 * higher, so that it more often lands on the answer itself (docs/compression.md, "Targets").
 */
const PROXY_SSIM_EXCESS = 0.0015;
/**
 * SMALLEST's slow encoders against the search effort's, as a multiple of a search trial's time:
 * used to judge whether the first slow trial fits before the job's deadline (later ones use the
 * time the first took).
 */
const SLOW_TRIAL_FACTOR: Record<OutputFormat, number> = { AVIF: 25, WEBP: 4, PNG: 3, JPEG: 1 };

export async function searchSsimTarget(session: EncodeSession, goal: Extract<CompressGoal, { kind: 'ssim' }>): Promise<CompressedImage> {
  const { plan, prepared, formats, requested, signal, seconds, evaluator, evaluatorFor, result } = session;
  if (!prepared.reference) {
    throw new TargetUnreachableError('The output is too small to measure SSIM (it needs at least 11×11 pixels).');
  }
  // Large outputs are searched on a mosaic of their tiles first (a quarter of the pixels per
  // trial); the answer is then found at full size from the proxy's curve (ssimSearchFromCurve), so
  // the result is always measured and verified at full size.
  const proxy = prepared.pixels.width * prepared.pixels.height >= PROXY_MIN_PIXELS ? await makeProxy(prepared, seconds()) : null;
  const starts = new Map<OutputFormat, { quality: number; bytes: number | null; curve: Trial[] }>();
  // AUTO: a format whose failing proxy trial is already well above another format's estimated
  // answer cannot come within the margin, so its proxy search stops there.
  let proxyBest = Infinity;
  const searchProxy = async (format: OutputFormat) => {
    if (!proxy) {
      starts.set(format, { quality: SEARCH_START[format], bytes: null, curve: [] });
      return;
    }
    const curve: Trial[] = [];
    const onProxy = await ssimSearch(recorded(evaluatorFor(proxy)(format, true), curve), goal.target, SEARCH_START[format], {
      signal,
      tolerance: PROXY_TOLERANCE,
      abandon: (trial) => formats.length > 1 && (trial.ssim ?? 0) < goal.target && trial.bytes > proxyBest * AUTO_PROXY_MARGIN,
    });
    const reached = onProxy.above !== null && !onProxy.abandoned;
    const quality = reached ? qualityOnCurve(curve, goal.target + PROXY_SSIM_EXCESS) : MAX_QUALITY;
    // Bytes at the proxy's own answer, from the bracket's ends (log-bytes are close to linear in quality).
    const bytes = reached ? interpolateBytes(onProxy.below, onProxy.above!, qualityOnCurve(curve, goal.target)) : null;
    if (onProxy.abandoned) starts.set(format, { quality, bytes: Infinity, curve });
    else starts.set(format, { quality, bytes, curve });
    if (bytes !== null) proxyBest = Math.min(proxyBest, bytes);
  };
  // AUTO's formats are searched side by side when the queue can spare a slot (session.sideBySide;
  // else one after the other, in this order). Which ones are abandoned then depends on timing, but
  // not the outcome: a format abandoned against a best so far would fall outside the margin of
  // the final best too (its answer lies above its failing trial, and bytes grow with quality).
  await session.sideBySide(formats.map((format) => () => searchProxy(format)));
  // AUTO: formats the proxy shows far larger than the smallest cannot win at full size; the rest
  // are searched at full size, the proxy's smallest first, each abandoning once it cannot beat the
  // best found (side by side again when a slot is spare: the smallest of the answers wins either
  // way).
  const candidates = formats
    .filter(
      (format) =>
        formats.length === 1 || proxyBest === Infinity || (starts.get(format)!.bytes ?? Infinity) <= proxyBest * AUTO_PROXY_MARGIN,
    )
    .sort((a, b) => (starts.get(a)!.bytes ?? Infinity) - (starts.get(b)!.bytes ?? Infinity));

  let best: { format: OutputFormat; trial: Trial } | null = null;
  let highest = 0;
  // On flat pixels the SSIM curve zigzags: a quality below the boundary found may reach the target too.
  const surface = surfaceOf(prepared.pixels);
  const smallestFrom = async (evaluate: (quality: number) => Promise<Trial>, answer: Trial | null) =>
    answer && surface.flat ? smallestBelow(evaluate, goal.target, answer, { signal }) : answer;
  const fullSizeTrials = new Map<OutputFormat, Trial[]>();
  const keep = (format: OutputFormat, answer: Trial | null) => {
    if (answer && (!best || answer.bytes < best.trial.bytes || (answer.bytes === best.trial.bytes && format < best.format)))
      best = { format, trial: answer };
  };
  // A failing trial at least as large as the best so far: higher qualities only grow.
  const cannotWin = (trial: Trial) => best !== null && (trial.ssim ?? 0) < goal.target && trial.bytes >= best.trial.bytes;
  const searchFullSize = async (format: OutputFormat) => {
    const trials: Trial[] = [];
    fullSizeTrials.set(format, trials);
    const evaluate = memoised(recorded(evaluator(format, true), trials));
    const start = starts.get(format)!;
    const search =
      start.curve.length > 0
        ? await ssimSearchFromCurve(evaluate, goal.target, start.curve, start.quality, { signal, abandon: cannotWin })
        : await ssimSearch(evaluate, goal.target, start.quality, { signal, abandon: cannotWin });
    highest = Math.max(highest, search.below?.ssim ?? 0, search.above?.ssim ?? 0);
    keep(format, await smallestFrom(evaluate, search.above));
  };
  await session.sideBySide(candidates.map((format) => () => searchFullSize(format)));
  if (requested === 'AUTO' && surface.graphic) {
    // Graphics: lossless WebP (one encode, SSIM 1) and the smallest palette PNG reaching the
    // target are candidates too; a lossy format that smudges text rarely beats them at a target.
    const lossless = await evaluator('WEBP', true)(MAX_QUALITY);
    if ((lossless.ssim ?? 0) >= goal.target) keep('WEBP', lossless);
    // The palette search stops, as the others do, once a failing trial is as large as the best so
    // far: on a graphic whose gradients no small palette holds (a screen with a gradient banner) it
    // would otherwise climb towards q100 in trials of about a second each at 1600 px.
    const paletteEvaluate = memoised(evaluator('PNG', true));
    const palette = await ssimSearch(paletteEvaluate, goal.target, SEARCH_START.PNG, { signal, abandon: cannotWin });
    keep('PNG', await smallestFrom(paletteEvaluate, palette.above));
  }
  const found = best as { format: OutputFormat; trial: Trial } | null;
  if (!found) {
    throw new TargetUnreachableError(`SSIM ${goal.target} cannot be reached: the best at quality 100 was ${highest.toFixed(4)}.`);
  }
  if (plan.effort !== 'SMALLEST') return result(found.format, found.trial);
  const fullPixels = prepared.pixels.width * prepared.pixels.height;
  const smallest = await searchAtSmallest(session, goal.target, found, (format) => {
    const start = starts.get(format);
    const trials = fullSizeTrials.get(format) ?? [];
    const proxyCurve = start?.curve ?? [];
    const slowestOf = (curve: Trial[]) => Math.max(0, ...curve.map((trial) => session.elapsedOf.get(trial) ?? 0));
    return {
      // The slow encoder's curve is read off the widest measured curve of the same format: the
      // proxy's, else the search's full-size trials.
      curve: proxyCurve.length > 0 ? proxyCurve : trials,
      quality: searchAnswer(trials, goal.target) ?? start?.quality,
      searchTrialMs:
        trials.length > 0
          ? slowestOf(trials)
          : proxy
            ? (slowestOf(proxyCurve) * fullPixels) / (proxy.pixels.width * proxy.pixels.height)
            : 0,
    };
  });
  return result(smallest.format, smallest.trial);
}

/**
 * SMALLEST: the slow encoders are searched for the target at full size, near where the search
 * effort's answer was, and kept only when verified to reach the target in fewer bytes. AVIF is
 * always searched (its slow effort saves the most, and its search answer can be far from its slow
 * one: see docs/compression-speed.md), and so is lossy WebP when it won. Any other winner (JPEG,
 * whose coefficients are the same at every effort; lossless WebP; palette PNG) is encoded once at
 * the slow effort at its quality. A slow trial is only started when it fits before the job's
 * deadline; otherwise the best verified answer so far stands.
 */
async function searchAtSmallest(
  session: EncodeSession,
  target: number,
  found: { format: OutputFormat; trial: Trial },
  measured: (format: OutputFormat) => { curve: Trial[]; quality: number | undefined; searchTrialMs: number },
): Promise<{ format: OutputFormat; trial: Trial }> {
  const { prepared, formats, signal, evaluatorFor, remainingMs, elapsedOf } = session;
  let best = found;
  const lossyWinner = (found.format === 'WEBP' || found.format === 'AVIF') && found.trial.quality < MAX_QUALITY;
  const searched = new Set<OutputFormat>([
    ...(formats.includes('AVIF') ? (['AVIF'] as const) : []),
    ...(lossyWinner ? [found.format] : []),
  ]);
  // JPEG's coefficients and scans are the same at every effort: nothing slower to try.
  const reencoded = searched.has(found.format) || found.format === 'JPEG' ? [] : [found.format];
  for (const format of [...searched, ...reencoded]) {
    const { curve, quality, searchTrialMs } = measured(format);
    // Before the first slow trial its time is estimated from the search's; after it, measured.
    let expectedMs = searchTrialMs * SLOW_TRIAL_FACTOR[format];
    let timedOnce = false;
    const slow = evaluatorFor(prepared, 'SMALLEST')(format, true);
    const timed = memoised(async (q: number) => {
      if (remainingMs() < expectedMs * 1.5) throw new OutOfTime();
      const trial = await slow(q);
      const took = elapsedOf.get(trial) ?? 0;
      expectedMs = timedOnce ? Math.max(expectedMs, took) : took;
      timedOnce = true;
      return trial;
    });
    const cannotWin = (trial: Trial) => (trial.ssim ?? 0) < target && trial.bytes >= best.trial.bytes;
    try {
      let answer: Trial | null;
      if (!searched.has(format)) {
        answer = await timed(found.trial.quality);
      } else {
        const start = quality ?? SEARCH_START[format];
        const search =
          curve.length > 0
            ? await ssimSearchFromCurve(timed, target, curve, start, { signal, abandon: cannotWin })
            : await ssimSearch(timed, target, start, { signal, abandon: cannotWin, initialStep: 1 });
        answer = search.above;
      }
      if (answer && (answer.ssim ?? 0) >= target && answer.bytes < best.trial.bytes) best = { format, trial: answer };
    } catch (error) {
      if (!(error instanceof OutOfTime)) throw error;
    }
  }
  return best;
}

/** Thrown inside SMALLEST's slow search when the next trial would not fit before the deadline. */
class OutOfTime extends Error {}

/** The lowest quality among trials that reaches the target. */
function searchAnswer(trials: Trial[], target: number): number | undefined {
  const passing = trials.filter((trial) => (trial.ssim ?? 0) >= target).map((trial) => trial.quality);
  return passing.length > 0 ? Math.min(...passing) : undefined;
}

function interpolateBytes(below: Trial | null, above: Trial, quality: number): number {
  if (!below || above.quality === below.quality) return above.bytes;
  const fraction = (quality - below.quality) / (above.quality - below.quality);
  return Math.exp(Math.log(below.bytes) + fraction * (Math.log(above.bytes) - Math.log(below.bytes)));
}

/** An evaluator that keeps every trial in `trials`. */
function recorded(evaluate: (quality: number) => Promise<Trial>, trials: Trial[]): (quality: number) => Promise<Trial> {
  return async (quality) => {
    const trial = await evaluate(quality);
    trials.push(trial);
    return trial;
  };
}

/** An evaluator that encodes each quality once, however often it is asked. */
function memoised(evaluate: (quality: number) => Promise<Trial>): (quality: number) => Promise<Trial> {
  const done = new Map<number, Promise<Trial>>();
  return (quality) => {
    let trial = done.get(quality);
    if (!trial) {
      trial = evaluate(quality);
      done.set(quality, trial);
    }
    return trial;
  };
}
