// The engine: an image file in, one encoded output with its quality and SSIM out. The original
// is decoded, oriented, edited (transform.ts, when asked), resized (lanczos3) and converted to
// sRGB once, into raw pixels; every encode of a search starts from those, and they are also the
// reference SSIM is measured against. Runs inside an ImageQueue job and obeys its deadline.
import sharp, { type Metadata, type Sharp } from 'sharp';
import { TargetUnreachableError } from '../errors.ts';
import type { ImageFormat } from '../store/records.ts';
import { defaultOutputFormat, hasEdits, type CompressPlan, type OutputFormat } from './compress-options.ts';
import { encodePixels, encoderFor, mimeTypeOf, PROGRESSIVE_MAX_PIXELS, WHITE, type EncodeEffort, type Matte, type PixelSource } from './encoders.ts';
import { classifySharpError, type ImageLimits } from './inspect.ts';
import type { ImageJobContext } from './queue.ts';
import { budgetSearch, MAX_QUALITY, smallestBelow, ssimSearch, type Trial } from './search.ts';
import { looksLikeGraphic } from './graphic.ts';
import { tileSample } from './sample.ts';
import { canMeasureSsim, LUMA_MATRIX, type LumaPlane, type RawPixels } from './ssim.ts';
import type { SsimPool } from './ssim-pool.ts';
import { parseHexColour } from './transform-options.ts';
import { checkPlanFits, displayedSize, transformedPixels } from './transform.ts';

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
}

/** Where searches start: near where each format usually lands for photographs. */
const SEARCH_START: Record<OutputFormat, number> = { JPEG: 80, PNG: 80, WEBP: 75, AVIF: 60 };
/** AUTO's candidates, cheapest first: AVIF's search can then stop early once it cannot win. */
const AUTO_FORMATS: OutputFormat[] = ['JPEG', 'WEBP', 'AVIF'];
/** Outputs of at least this many pixels search for targetSsim on a mosaic of their tiles first. */
const PROXY_MIN_PIXELS = 500_000;
/** AUTO verifies at full size every format within this factor of the proxy's smallest. */
const AUTO_PROXY_MARGIN = 1.25;
/** A proxy's search stops once its bracket is this narrow: the full-size search finishes it. */
const PROXY_TOLERANCE = 4;
/** SMALLEST tries the slow encoder at the quality a search found and at most this many above it. */
const SMALLEST_STEPS = 3;

interface Prepared {
  pixels: PixelSource;
  /**
   * What outputs are compared with: the opaque RGB pixels themselves (the SSIM worker takes their
   * luma), or for pixels with transparency the luma after flattening onto the matte (as JPEG
   * output is); null when too small to measure.
   */
  reference: LumaPlane | RawPixels | null;
  /** What transparent pixels are flattened onto: transform.background, else white. */
  matte: Matte;
}

export async function compressImage(ssimPool: SsimPool, request: CompressRequest, job: ImageJobContext): Promise<CompressedImage> {
  const seconds = () => Math.max(1, Math.ceil(job.remainingMs() / 1000));
  const { plan } = request;
  const { goal } = plan;
  const requested = plan.format ?? defaultOutputFormat(request.originalFormat);
  let metadata: Metadata;
  let prepared: Prepared;
  try {
    metadata = await sharp(request.input, { limitInputPixels: request.limits.maxPixels }).metadata();
  } catch (error) {
    job.signal.throwIfAborted();
    throw classifySharpError(error, request.limits);
  }
  if (hasEdits(plan)) checkPlanFits(plan, displayedSize(metadata), request.limits);
  try {
    if (goal.kind === 'quality' && !plan.measureSsim && requested !== 'AUTO' && !hasEdits(plan) && (!metadata.hasAlpha || requested === 'JPEG')) {
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

  const measureAgainst = async (source: Prepared, data: Buffer): Promise<number | null> => {
    if (!source.reference) return null;
    const candidate = await ssimPlaneOf(sharp(data), source.pixels.channels, seconds(), source.matte);
    return ssimPool.compare(source.reference, candidate);
  };
  const measure = (data: Buffer) => measureAgainst(prepared, data);
  // Searches try many qualities: their trials never use SMALLEST's slow encoders (the answer is
  // re-encoded at SMALLEST and verified at the end).
  const searchEffort: EncodeEffort = plan.effort === 'FAST' ? 'FAST' : 'BALANCED';
  /** Which effort made each trial, so the answer says how to make it again (preview tickets). */
  const effortOf = new WeakMap<Trial, EncodeEffort>();
  const evaluatorFor = (source: Prepared, effort: EncodeEffort = searchEffort) => (format: OutputFormat, withSsim: boolean) => async (quality: number): Promise<Trial> => {
    job.signal.throwIfAborted();
    try {
      const data = await encodePixels(source.pixels, format, quality, seconds(), effort, source.matte);
      const trial: Trial = { quality, bytes: data.length, ssim: withSsim ? await measureAgainst(source, data) : null, data };
      effortOf.set(trial, effort);
      return trial;
    } catch (error) {
      job.signal.throwIfAborted();
      throw error;
    }
  };
  const evaluator = evaluatorFor(prepared);
  const result = (format: OutputFormat, trial: Trial): CompressedImage => ({
    format,
    mimeType: mimeTypeOf(format),
    data: trial.data,
    width: prepared.pixels.width,
    height: prepared.pixels.height,
    quality: trial.quality,
    ssim: trial.ssim,
    effort: effortOf.get(trial) ?? plan.effort,
  });

  const formats = requested === 'AUTO' ? AUTO_FORMATS.filter((format) => format !== 'JPEG' || prepared.pixels.channels === 3) : [requested];

  if (goal.kind === 'quality') {
    return result(formats[0]!, await evaluatorFor(prepared, plan.effort)(formats[0]!, plan.measureSsim)(goal.quality));
  }

  if (goal.kind === 'ssim') {
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
        signal: job.signal,
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
          formats.length === 1 || format === 'JPEG' || proxyBest === Infinity || (starts.get(format)!.bytes ?? Infinity) <= proxyBest * AUTO_PROXY_MARGIN,
      )
      .sort((a, b) => (starts.get(a)!.bytes ?? Infinity) - (starts.get(b)!.bytes ?? Infinity));

    let best: { format: OutputFormat; trial: Trial } | null = null;
    let highest = 0;
    // On graphics the SSIM curve zigzags: a quality below the boundary found may reach the target too.
    const graphic = looksLikeGraphic(prepared.pixels);
    const smallestFrom = async (evaluate: (quality: number) => Promise<Trial>, answer: Trial | null) =>
      answer && graphic ? smallestBelow(evaluate, goal.target, answer, { signal: job.signal }) : answer;
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
        signal: job.signal,
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
      const palette = await ssimSearch(paletteEvaluate, goal.target, SEARCH_START.PNG, { signal: job.signal });
      graphicsCandidates.push(['PNG', await smallestFrom(paletteEvaluate, palette.above)]);
      for (const [format, trial] of graphicsCandidates) {
        if (trial && (trial.ssim ?? 0) >= goal.target && (!best || trial.bytes < best.trial.bytes)) best = { format, trial };
      }
    }
    if (!best) {
      throw new TargetUnreachableError(
        `SSIM ${goal.target} cannot be reached: the best at quality 100 was ${highest.toFixed(4)}.`,
      );
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

  let best: { format: OutputFormat; trial: Trial } | null = null;
  for (const format of formats) {
    const search = await budgetSearch(evaluator(format, false), goal.maxBytes, SEARCH_START[format], { signal: job.signal });
    if (!search.below) continue;
    let trial = { ...search.below, ssim: plan.measureSsim || formats.length > 1 || plan.effort === 'SMALLEST' ? await measure(search.below.data) : null };
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
    throw new TargetUnreachableError(`Even at quality 1 the output is larger than ${goal.maxBytes} bytes; allow more bytes or a smaller size.`);
  }
  return result(best.format, best.trial);
}

/** The original decoded, oriented and in sRGB, not resized: where transforms start. */
function oriented(request: CompressRequest, metadata: Metadata): Sharp {
  const { input, limits } = request;
  let image = sharp(input, { limitInputPixels: limits.maxPixels }).autoOrient();
  // sharp converts an embedded profile to sRGB by itself, except for 16-bit images, which it
  // takes to Display P3: convert those explicitly (and attach nothing: no profile means sRGB).
  if (metadata.hasProfile && (metadata.depth === 'ushort' || metadata.depth === 'float')) {
    image = image.withIccProfile('srgb', { attach: false });
  }
  return image.toColourspace('srgb');
}

/** The original decoded, oriented, resized and in sRGB: the start of every output without edits. */
function orientedAndResized(request: CompressRequest, metadata: Metadata): Sharp {
  const { plan } = request;
  const image = oriented(request, metadata);
  if (plan.width === null && plan.height === null) return image;
  return image.resize(plan.width ?? undefined, plan.height ?? undefined, { fit: 'inside', withoutEnlargement: true });
}

async function encodeInOnePipeline(
  request: CompressRequest,
  metadata: Metadata,
  format: OutputFormat,
  quality: number,
  timeoutSeconds: number,
): Promise<CompressedImage> {
  const channels = metadata.hasAlpha ? 4 : 3;
  if (format === 'JPEG' && request.plan.effort !== 'FAST' && outputPixels(request, metadata) <= PROGRESSIVE_MAX_PIXELS) {
    // JPEG may be encoded twice (baseline and progressive, the smaller kept): from the resized
    // pixels, so the original is decoded once.
    const { data: pixels, info: size } = await orientedAndResized(request, metadata).raw({ depth: 'uchar' }).timeout({ seconds: timeoutSeconds }).toBuffer({ resolveWithObject: true });
    const source: PixelSource = { data: pixels, width: size.width, height: size.height, channels: size.channels === 4 ? 4 : 3 };
    const data = await encodePixels(source, format, quality, timeoutSeconds, request.plan.effort);
    return { format, mimeType: mimeTypeOf(format), data, width: size.width, height: size.height, quality, ssim: null, effort: request.plan.effort };
  }
  const { data, info } = await encoderFor(orientedAndResized(request, metadata), channels, format, quality, request.plan.effort)
    .timeout({ seconds: timeoutSeconds })
    .toBuffer({ resolveWithObject: true });
  return { format, mimeType: mimeTypeOf(format), data, width: info.width, height: info.height, quality, ssim: null, effort: request.plan.effort };
}

/** About how many pixels the output will have (oriented, fitted inside width × height, never enlarged). */
function outputPixels(request: CompressRequest, metadata: Metadata): number {
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  const { plan } = request;
  const scale = Math.min(1, plan.width ? plan.width / width : 1, plan.height ? plan.height / height : 1);
  return width * height * scale * scale;
}

async function prepare(request: CompressRequest, metadata: Metadata, timeoutSeconds: () => number): Promise<Prepared> {
  const { plan } = request;
  const decoded = hasEdits(plan)
    ? await transformedPixels(oriented(request, metadata), plan, timeoutSeconds)
    : await orientedAndResized(request, metadata)
        .raw({ depth: 'uchar' })
        .timeout({ seconds: timeoutSeconds() })
        .toBuffer({ resolveWithObject: true })
        .then(({ data, info }) => ({ data, width: info.width, height: info.height, channels: info.channels }));
  const { data, width, height } = decoded;
  const matte: Matte = plan.transform?.background ? parseHexColour(plan.transform.background) : WHITE;
  let pixels: PixelSource = { data, width, height, channels: decoded.channels === 4 ? 4 : 3 };
  if (decoded.channels !== 3 && decoded.channels !== 4) throw new Error(`unexpected ${decoded.channels}-channel pixels`);

  if (pixels.channels === 4 && isOpaque(data)) {
    // An alpha channel with nothing transparent in it only costs bytes (and rules out JPEG).
    const rgb = await sharp(data, { raw: { width, height, channels: 4 } }).removeAlpha().raw().toBuffer();
    pixels = { data: rgb, width, height, channels: 3 };
  }
  return { pixels, matte, reference: canMeasureSsim(width, height) ? await referenceOf(pixels, timeoutSeconds(), matte) : null };
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

/** The tile mosaic of the prepared pixels (see sample.ts), with its own reference. */
async function makeProxy(prepared: Prepared, timeoutSeconds: number): Promise<Prepared | null> {
  const pixels = tileSample(prepared.pixels);
  return pixels ? { pixels, matte: prepared.matte, reference: await referenceOf(pixels, timeoutSeconds, prepared.matte) } : null;
}

async function referenceOf(pixels: PixelSource, timeoutSeconds: number, matte: Matte): Promise<LumaPlane | RawPixels> {
  if (pixels.channels === 3) return pixels;
  const { width, height, channels } = pixels;
  return lumaOf(sharp(pixels.data, { raw: { width, height, channels } }).flatten({ background: matte }), timeoutSeconds);
}

/**
 * An encoded output as SSIM compares it with a reference made from pixels with this many
 * channels: decoded RGB for opaque pixels (its luma is taken in the SSIM worker, far cheaper than
 * a libvips luma pipeline), flattened luma for pixels with transparency.
 */
async function ssimPlaneOf(output: Sharp, sourceChannels: number, timeoutSeconds: number, matte: Matte): Promise<LumaPlane | RawPixels> {
  if (sourceChannels !== 3) return lumaOf(output.flatten({ background: matte }), timeoutSeconds);
  const { data, info } = await output
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .timeout({ seconds: timeoutSeconds })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * Luma as ssim.js computes it, by libvips (see LUMA_MATRIX): one byte per pixel instead of three
 * reaches the SSIM worker, and no JS loop runs over the pixels.
 */
async function lumaOf(image: Sharp, timeoutSeconds: number): Promise<LumaPlane> {
  const { data, info } = await image
    .pipelineColourspace('srgb')
    .recomb(LUMA_MATRIX)
    .linear(1, 0.5)
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .timeout({ seconds: timeoutSeconds })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function isOpaque(rgba: Buffer): boolean {
  for (let offset = 3; offset < rgba.length; offset += 4) if (rgba[offset] !== 255) return false;
  return true;
}
