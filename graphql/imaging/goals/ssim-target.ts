// The smallest output whose SSIM to the (edited, resized) original reaches a target. Large outputs
// are searched on a mosaic of their tiles first, then finished and verified at full size; AUTO
// tries each format and keeps the smallest, with palette PNG and lossless WebP for graphics.
import { TargetUnreachableError } from '../../errors.ts';
import type { CompressedImage } from '../compress.ts';
import type { CompressGoal, OutputFormat } from '../compress-options.ts';
import { looksLikeGraphic } from '../graphic.ts';
import { makeProxy } from '../prepared-pixels.ts';
import { MAX_QUALITY, smallestBelow, ssimSearch, type Trial } from '../search.ts';
import { SEARCH_START, type EncodeSession } from '../encode-session.ts';

/** Outputs of at least this many pixels search for targetSsim on a mosaic of their tiles first. */
const PROXY_MIN_PIXELS = 500_000;
/** AUTO verifies at full size every format within this factor of the proxy's smallest. */
const AUTO_PROXY_MARGIN = 1.25;
/** A proxy's search stops once its bracket is this narrow: the full-size search finishes it. */
const PROXY_TOLERANCE = 4;
/** SMALLEST tries the slow encoder at the quality a search found and at most this many above it. */
const SMALLEST_STEPS = 3;

export async function searchSsimTarget(session: EncodeSession, goal: Extract<CompressGoal, { kind: 'ssim' }>): Promise<CompressedImage> {
  const { plan, prepared, formats, requested, signal, seconds, evaluator, evaluatorFor, result } = session;
  if (!prepared.reference) {
    throw new TargetUnreachableError('The output is too small to measure SSIM (it needs at least 11×11 pixels).');
  }
  // Large outputs are searched on a mosaic of their tiles first (a quarter of the pixels per
  // trial); the answer is then found at full size by stepping out from the proxy's quality, so the
  // result is always measured and verified at full size.
  const proxy = prepared.pixels.width * prepared.pixels.height >= PROXY_MIN_PIXELS ? await makeProxy(prepared, seconds()) : null;
  const starts = new Map<OutputFormat, { quality: number; bytes: number | null; curve: Trial[] }>();
  for (const format of formats) {
    if (!proxy) {
      starts.set(format, { quality: SEARCH_START[format], bytes: null, curve: [] });
      continue;
    }
    const curve: Trial[] = [];
    const onProxy = await ssimSearch(recorded(evaluatorFor(proxy)(format, true), curve), goal.target, SEARCH_START[format], {
      signal,
      tolerance: PROXY_TOLERANCE,
    });
    const quality = onProxy.above ? qualityOnCurve(curve, goal.target) : 100;
    // Bytes at that quality, from the bracket's ends (log-bytes are close to linear in quality).
    const bytes = onProxy.above ? interpolateBytes(onProxy.below, onProxy.above, quality) : null;
    starts.set(format, { quality, bytes, curve });
  }
  // AUTO: formats the proxy shows far larger than the smallest cannot win at full size. JPEG is
  // always tried at full size: its trials are the cheapest, and it is the one a proxy misjudged
  // (a 2560×1600 photograph: 1.68x the smallest on a half-size proxy, the smallest at full size).
  const proxyBest = Math.min(...[...starts.values()].map((start) => start.bytes ?? Infinity));
  const candidates = formats
    .filter(
      (format) =>
        formats.length === 1 ||
        format === 'JPEG' ||
        proxyBest === Infinity ||
        (starts.get(format)!.bytes ?? Infinity) <= proxyBest * AUTO_PROXY_MARGIN,
    )
    .sort((a, b) => (starts.get(a)!.bytes ?? Infinity) - (starts.get(b)!.bytes ?? Infinity));

  let best: { format: OutputFormat; trial: Trial } | null = null;
  let highest = 0;
  // On graphics the SSIM curve zigzags: a quality below the boundary found may reach the target too.
  const graphic = looksLikeGraphic(prepared.pixels);
  const smallestFrom = async (evaluate: (quality: number) => Promise<Trial>, answer: Trial | null) =>
    answer && graphic ? smallestBelow(evaluate, goal.target, answer, { signal }) : answer;
  for (const format of candidates) {
    const bound = best?.trial.bytes;
    const evaluate = memoised(evaluator(format, true));
    const start = starts.get(format)!;
    let startQuality = start.quality;
    if (start.curve.length > 0) {
      // The proxy's SSIM runs a little off the full image's, by about the same amount near the
      // target: measure that offset once at full size, then read the quality off the proxy's
      // curve for the target shifted by it (LadyBird, JPEG: 3 full-size trials instead of 7).
      const first = await evaluate(start.quality);
      const onProxy = ssimOnCurve(start.curve, start.quality);
      if (first.ssim !== null && onProxy !== null) startQuality = qualityOnCurve(start.curve, goal.target - (first.ssim - onProxy));
    }
    const search = await ssimSearch(evaluate, goal.target, startQuality, {
      signal,
      initialStep: proxy ? 1 : undefined,
      // A failing trial at least as large as the best so far: higher qualities only grow.
      abandon: (trial) => bound !== undefined && (trial.ssim ?? 0) < goal.target && trial.bytes >= bound,
    });
    highest = Math.max(highest, search.below?.ssim ?? 0, search.above?.ssim ?? 0);
    const answer = await smallestFrom(evaluate, search.above);
    if (answer && (!best || answer.bytes < best.trial.bytes)) best = { format, trial: answer };
  }
  if (requested === 'AUTO' && graphic) {
    // Graphics: lossless WebP (one encode, SSIM 1) and the smallest palette PNG reaching the
    // target are candidates too; a lossy format that smudges text rarely beats them at a target.
    const graphicsCandidates: Array<[OutputFormat, Trial | null]> = [['WEBP', await evaluator('WEBP', true)(MAX_QUALITY)]];
    const paletteEvaluate = memoised(evaluator('PNG', true));
    const palette = await ssimSearch(paletteEvaluate, goal.target, SEARCH_START.PNG, { signal });
    graphicsCandidates.push(['PNG', await smallestFrom(paletteEvaluate, palette.above)]);
    for (const [format, trial] of graphicsCandidates) {
      if (trial && (trial.ssim ?? 0) >= goal.target && (!best || trial.bytes < best.trial.bytes)) best = { format, trial };
    }
  }
  if (!best) {
    throw new TargetUnreachableError(`SSIM ${goal.target} cannot be reached: the best at quality 100 was ${highest.toFixed(4)}.`);
  }
  if (plan.effort === 'SMALLEST') {
    // The slow encoder at the quality found, and a step or two above if it falls short; kept
    // only when it is verified to reach the target at full size in fewer bytes.
    const slow = evaluatorFor(prepared, 'SMALLEST')(best.format, true);
    for (let quality = best.trial.quality; quality <= Math.min(MAX_QUALITY, best.trial.quality + SMALLEST_STEPS - 1); quality++) {
      const trial = await slow(quality);
      if (trial.bytes >= best.trial.bytes) break;
      if ((trial.ssim ?? 0) >= goal.target) {
        best = { format: best.format, trial };
        break;
      }
    }
  }
  return result(best.format, best.trial);
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

/**
 * The quality at which measured trials reach `ssim`, interpolated between the nearest trials on
 * either side (the lowest crossing, so a curve that dips still gives the cheaper answer); beyond
 * the trials, the nearest end.
 */
function qualityOnCurve(trials: Trial[], ssim: number): number {
  const points = [...trials].sort((a, b) => a.quality - b.quality);
  for (let index = 1; index < points.length; index++) {
    const low = points[index - 1]!;
    const high = points[index]!;
    if ((low.ssim ?? 0) < ssim && (high.ssim ?? 0) >= ssim) {
      const fraction = (ssim - (low.ssim ?? 0)) / ((high.ssim ?? 0) - (low.ssim ?? 0));
      return Math.min(high.quality, Math.max(low.quality + 1, Math.round(low.quality + fraction * (high.quality - low.quality))));
    }
  }
  return (points[0]?.ssim ?? 0) >= ssim ? points[0]!.quality : (points.at(-1)?.quality ?? MAX_QUALITY);
}

/** SSIM at a quality, interpolated between the nearest trials on either side; null beyond them. */
function ssimOnCurve(trials: Trial[], quality: number): number | null {
  const points = [...trials].sort((a, b) => a.quality - b.quality);
  for (let index = 0; index < points.length; index++) {
    const high = points[index]!;
    if (high.quality < quality) continue;
    if (high.quality === quality) return high.ssim;
    const low = points[index - 1];
    if (!low || low.ssim === null || high.ssim === null) return null;
    return low.ssim + ((quality - low.quality) / (high.quality - low.quality)) * (high.ssim - low.ssim);
  }
  return null;
}
