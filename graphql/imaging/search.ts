// Finding the encoder quality for a target. Both targets are a boundary on a measure that grows
// with quality (SSIM for targetSsim, bytes for maxBytes), so one search serves both: from a
// starting guess, step out until the boundary is bracketed, then narrow the bracket by
// interpolating the measure between its ends (SSIM and log-bytes are smooth in quality, so this
// usually lands within a step or two), falling back to bisection whenever an interpolation step
// fails to halve the bracket. Qualities are whole numbers 1..100; each is evaluated at most once.

export const MIN_QUALITY = 1;
export const MAX_QUALITY = 100;

export interface Trial {
  quality: number;
  bytes: number;
  /** Present when the evaluation measured it. */
  ssim: number | null;
  data: Buffer;
}

export interface BoundarySearch {
  /** Encode (and measure, if needed) at one quality. */
  evaluate(quality: number): Promise<Trial>;
  /** The measure that grows with quality, and the threshold it is compared with. */
  measure(trial: Trial): number;
  threshold: number;
  /** Whether a trial is on the high side of the boundary (measure >= threshold, or > for budgets). */
  isAbove(trial: Trial): boolean;
  start: number;
  /**
   * When the start is a good guess (from a search on a reduced proxy), step out from it by this
   * much, doubling, instead of halving the remaining range.
   */
  initialStep?: number;
  /**
   * Stop once the boundary is bracketed this closely (default 1: exactly). A search on a proxy
   * only needs to bring the full-size search near its answer.
   */
  tolerance?: number;
  /** Called after every trial; returning true abandons the search (AUTO's pruning). */
  abandon?(trial: Trial): boolean;
  signal?: AbortSignal;
}

export interface Boundary {
  /** The highest quality found below the boundary, and the lowest found above it. */
  below: Trial | null;
  above: Trial | null;
  /** Number of encodes it took. */
  trials: number;
  abandoned: boolean;
}

export async function findBoundary(search: BoundarySearch): Promise<Boundary> {
  let below: Trial | null = null;
  let above: Trial | null = null;
  let trials = 0;
  let quality = clamp(search.start);
  let previousWidth = Infinity;
  let outward = search.initialStep ?? 0;
  let previous: Trial | null = null;

  for (;;) {
    search.signal?.throwIfAborted();
    const trial = await search.evaluate(quality);
    trials += 1;
    if (search.isAbove(trial)) above = trial;
    else below = trial;
    if (search.abandon?.(trial)) return { below, above, trials, abandoned: true };
    const previousTrial = previous;
    previous = trial;

    const low = below?.quality ?? MIN_QUALITY - 1;
    const high = above?.quality ?? MAX_QUALITY + 1;
    if (high - low <= 1 || (above && below && high - low <= (search.tolerance ?? 1))) break;
    if (!above || !below) {
      // Only one side known: step outwards, by a doubling step from a good guess, else by half
      // the remaining range (at least 5). From a good guess, once two trials lie on the same side,
      // a secant through them may land on the boundary in fewer steps than doubling would.
      const room = !above ? MAX_QUALITY - low : high - MIN_QUALITY;
      let step = outward > 0 ? outward : Math.max(5, Math.round(room / 2));
      if (outward > 0) {
        outward *= 2;
        const secant = secantStep(search, previousTrial, trial);
        if (secant !== null) step = Math.min(step, secant);
      }
      quality = room <= step ? (!above ? MAX_QUALITY : MIN_QUALITY) : !above ? low + step : high - step;
    } else {
      const width = high - low;
      const bisect = low + Math.floor(width / 2);
      if (width * 2 > previousWidth) {
        quality = bisect;
      } else {
        const lowValue = search.measure(below);
        const highValue = search.measure(above);
        const fraction = highValue > lowValue ? (search.threshold - lowValue) / (highValue - lowValue) : 0.5;
        quality = Math.min(high - 1, Math.max(low + 1, Math.round(low + fraction * width)));
      }
      previousWidth = width;
    }
  }
  return { below, above, trials, abandoned: false };
}

/**
 * How far the straight line through the last two trials puts the boundary from the last one (in
 * whole qualities, rounded up so the next trial lands across it); null when the two do not show
 * the measure moving towards the threshold.
 */
function secantStep(search: BoundarySearch, previous: Trial | null, last: Trial): number | null {
  if (!previous || previous.quality === last.quality) return null;
  const slope = (search.measure(last) - search.measure(previous)) / (last.quality - previous.quality);
  if (!(slope > 0)) return null;
  const distance = Math.abs(search.threshold - search.measure(last)) / slope;
  return Number.isFinite(distance) ? Math.max(1, Math.ceil(distance)) : null;
}

/** The lowest quality whose SSIM reaches the target; `above` is the answer. */
export function ssimSearch(
  evaluate: (quality: number) => Promise<Trial>,
  target: number,
  start: number,
  options: { abandon?: (trial: Trial) => boolean; signal?: AbortSignal; initialStep?: number; tolerance?: number } = {},
): Promise<Boundary> {
  return findBoundary({
    evaluate,
    measure: (trial) => trial.ssim ?? 0,
    threshold: target,
    isAbove: (trial) => (trial.ssim ?? 0) >= target,
    start,
    ...options,
  });
}

/** Full-size trials at least this many qualities apart give the proxy's offset a slope. */
const DRIFT_MIN_SPAN = 2;

/**
 * The lowest quality whose SSIM reaches the target, finished at full size from a proxy's measured
 * curve (`curve`: trials of the same format on a proxy, see sample.ts). The proxy's SSIM runs off
 * the full image's by an offset that changes little near the target, so after each full-size trial
 * the next quality is read off the proxy's curve for the target shifted by the offset that trial
 * shows (once two trials are a few qualities apart, by an offset that moves linearly with quality
 * through theirs: on many photos it drifts as the search moves away from the proxy's answer;
 * beyond the curve's range, by the line through the last two full-size trials on one side); when the curve says the last trial is the answer, its neighbour on the other side is tried
 * to prove it. A good prediction ends in two trials (the answer and one quality below it). The
 * answer is exact (`above` reaches the target, one quality lower does not, when both were tried):
 * every trial lies strictly inside the bracket, so it always narrows.
 */
export async function ssimSearchFromCurve(
  evaluate: (quality: number) => Promise<Trial>,
  target: number,
  curve: Trial[],
  start: number,
  options: { abandon?: (trial: Trial) => boolean; signal?: AbortSignal } = {},
): Promise<Boundary> {
  let below: Trial | null = null;
  let above: Trial | null = null;
  let trials = 0;
  let quality = clamp(start);
  // Trials in a row on the same side: a curve that keeps predicting too short a move gets a
  // doubling step instead; once bracketed, a prediction that fails to halve the bracket gets a
  // bisection, as in findBoundary.
  let sameSide = 0;
  let lastAbove: boolean | null = null;
  let previousWidth = Infinity;
  const offsets: Array<{ quality: number; offset: number }> = [];
  let previous: Trial | null = null;
  const curveLow = Math.min(...curve.map((point) => point.quality));
  const curveHigh = Math.max(...curve.map((point) => point.quality));
  for (;;) {
    options.signal?.throwIfAborted();
    const trial = await evaluate(quality);
    trials += 1;
    const isAbove = (trial.ssim ?? 0) >= target;
    if (isAbove) above = trial;
    else below = trial;
    if (options.abandon?.(trial)) return { below, above, trials, abandoned: true };
    sameSide = isAbove === lastAbove ? sameSide + 1 : 0;
    lastAbove = isAbove;
    const low = below?.quality ?? MIN_QUALITY - 1;
    const high = above?.quality ?? MAX_QUALITY + 1;
    const width = high - low;
    if (width <= 1) break;
    const onProxy = ssimOnCurve(curve, trial.quality);
    const offset = onProxy === null || trial.ssim === null ? null : trial.ssim - onProxy;
    let next: number | null = null;
    if (offset !== null) {
      // The offset drifts with quality on many photos (the mosaic's SSIM falls faster than the
      // full image's as quality drops): from two trials at least DRIFT_MIN_SPAN apart, the offset
      // is read as a straight line through theirs, else as constant.
      const other = offsets.findLast((point) => Math.abs(point.quality - trial.quality) >= DRIFT_MIN_SPAN);
      offsets.push({ quality: trial.quality, offset });
      if (other) {
        const slope = (offset - other.offset) / (trial.quality - other.quality);
        const shifted = curve.map((point) => ({ ...point, ssim: (point.ssim ?? 0) + offset + slope * (point.quality - trial.quality) }));
        next = qualityOnCurve(shifted, target);
      } else {
        next = qualityOnCurve(curve, target - offset);
      }
    }
    // The answer is the lowest passing quality: a boundary predicted at or above a passing trial
    // still needs the quality below it tried, one at or below a failing trial the quality above.
    if (next !== null && isAbove) next = Math.min(next, trial.quality - 1);
    if (next !== null && !isAbove) next = Math.max(next, trial.quality + 1);
    if (!above || !below) {
      const step = 2 ** Math.max(0, sameSide - 1);
      let stepped = isAbove ? trial.quality - step : trial.quality + step;
      // Beyond the proxy's curve (on photos whose mosaic needs a far higher quality than the full
      // image, or a far lower one), the curve cannot say how far to go: two full-size trials on the
      // same side can, by the straight line through them, when it goes further than the doubling step.
      const beyondCurve = next === null || (isAbove ? next <= curveLow : next >= curveHigh);
      const secant = beyondCurve && sameSide > 0 && previous ? fullSizeSecant(previous, trial, target) : null;
      if (secant !== null) stepped = isAbove ? Math.min(stepped, trial.quality - secant) : Math.max(stepped, trial.quality + secant);
      next = next === null ? stepped : isAbove ? Math.min(next, stepped) : Math.max(next, stepped);
    } else if (next === null || width * 2 > previousWidth) {
      next = low + Math.floor(width / 2);
    }
    if (above && below) previousWidth = width;
    previous = trial;
    quality = Math.min(high - 1, Math.max(low + 1, next));
  }
  return { below, above, trials, abandoned: false };
}

/** How many qualities past `last` the line through two trials reaches the target; null when it does not rise. */
function fullSizeSecant(previous: Trial, last: Trial, target: number): number | null {
  if (previous.ssim === null || last.ssim === null || previous.quality === last.quality) return null;
  const slope = (last.ssim - previous.ssim) / (last.quality - previous.quality);
  if (!(slope > 0)) return null;
  const distance = Math.ceil(Math.abs(target - last.ssim) / slope);
  return Number.isFinite(distance) ? Math.max(1, distance) : null;
}

/**
 * The quality at which measured trials reach `ssim`, interpolated between the nearest trials on
 * either side (the lowest crossing, so a curve that dips still gives the cheaper answer); beyond
 * the trials, the nearest end.
 */
export function qualityOnCurve(trials: Trial[], ssim: number): number {
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
export function ssimOnCurve(trials: Trial[], quality: number): number | null {
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

/** The highest quality whose output fits the budget; `below` is the answer. */
export function budgetSearch(
  evaluate: (quality: number) => Promise<Trial>,
  maxBytes: number,
  start: number,
  options: { signal?: AbortSignal } = {},
): Promise<Boundary> {
  return findBoundary({
    evaluate,
    measure: (trial) => Math.log(trial.bytes),
    threshold: Math.log(maxBytes + 0.5),
    isAbove: (trial) => trial.bytes > maxBytes,
    start,
    ...options,
  });
}

function clamp(quality: number): number {
  return Math.min(MAX_QUALITY, Math.max(MIN_QUALITY, Math.round(quality)));
}

/**
 * SSIM (and bytes) are not monotonic in quality on every image: on flat pixels (graphics: flat
 * colour, text, 1 px borders; and smooth photographs, see surface.ts) lossy WebP's, AVIF's and the
 * palette quantiser's curves zigzag by a few thousandths, so a quality well below the boundary a
 * search found can reach the target in fewer bytes (examples in docs/compression-speed.md and
 * graphql/tests/compression-speed.test.ts). This tries the qualities 2, 4, 8, … below the answer
 * and returns the smallest trial that reaches the target. It cannot promise the smallest of all
 * qualities (an isolated quality that reaches the target between two probes is missed), only never
 * more bytes than the search's own answer; `evaluate` should be memoised, as probes may repeat the
 * search's trials.
 */
export async function smallestBelow(
  evaluate: (quality: number) => Promise<Trial>,
  target: number,
  answer: Trial,
  options: { signal?: AbortSignal } = {},
): Promise<Trial> {
  let best = answer;
  for (let step = 2; answer.quality - step >= MIN_QUALITY; step *= 2) {
    options.signal?.throwIfAborted();
    const trial = await evaluate(answer.quality - step);
    if ((trial.ssim ?? 0) >= target && trial.bytes < best.bytes) best = trial;
  }
  return best;
}
