// CompressOptions.transform and the fit modes: edits applied once to the decoded, oriented original,
// in the documented order (crop, rotate, flip/flop, colour, sharpen/blur), and then the resize to
// the box. sharp runs the operations of one pipeline in an order of its own (flip before rotate,
// blur before sharpen, colour after resizing), so each step is a pipeline of its own over raw
// pixels: the order is then the documented one whatever sharp's is. Only the crop shares the
// decoding pipeline (sharp orients before it extracts), so a crop never holds the whole image raw.
import sharp, { type Metadata, type Sharp } from 'sharp';
import { InvalidTransformError, ValidationError } from '../errors.ts';
import type { Focus, TransformSettings } from '../store/records.ts';
import type { CompressPlan } from './compress-options.ts';
import type { ImageLimits } from './inspect.ts';
import { CROP_FIELD, parseHexColour } from './transform-options.ts';

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

type Step = (image: Sharp) => Sharp;

/** Rec. 709 luma weights on the sRGB values, the same in every row: equal channels out. */
const GREYSCALE_MATRIX: [[number, number, number], [number, number, number], [number, number, number]] = [
  [0.2126, 0.7152, 0.0722],
  [0.2126, 0.7152, 0.0722],
  [0.2126, 0.7152, 0.0722],
];
const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };
const POSITIONS: Record<Focus, string | number> = {
  CENTER: 'centre',
  ATTENTION: sharp.strategy.attention,
  ENTROPY: sharp.strategy.entropy,
};

/** The original's size as displayed: EXIF orientations 5-8 swap width and height. */
export function displayedSize(metadata: Metadata): { width: number; height: number } {
  const swapped = (metadata.orientation ?? 1) >= 5;
  return swapped ? { width: metadata.height, height: metadata.width } : { width: metadata.width, height: metadata.height };
}

/** Refuses a plan that does not fit this image: a crop outside it, a box over the pixel limit. */
export function checkPlanFits(plan: CompressPlan, displayed: { width: number; height: number }, limits: ImageLimits): void {
  const crop = plan.transform?.crop;
  if (crop && (crop.left + crop.width > displayed.width || crop.top + crop.height > displayed.height)) {
    throw new InvalidTransformError(
      `The crop ${crop.width}×${crop.height} at (${crop.left}, ${crop.top}) reaches outside the ${displayed.width}×${displayed.height} image.`,
      CROP_FIELD,
    );
  }
  // INSIDE never enlarges; the other fits make exactly width × height, which may be larger.
  if (plan.fit !== 'INSIDE' && plan.width !== null && plan.height !== null && plan.width * plan.height > limits.maxPixels) {
    throw new ValidationError(`A ${plan.fit} box may have at most ${limits.maxPixels} pixels.`, 'options.width');
  }
}

/** The steps after the crop, in the documented order. */
function editSteps(transform: TransformSettings): Step[] {
  const steps: Step[] = [];
  if (transform.rotate !== 0) steps.push((image) => image.rotate(transform.rotate));
  if (transform.flip || transform.flop) steps.push((image) => image.flip(transform.flip).flop(transform.flop));
  if (transform.brightness !== 1 || transform.saturation !== 1 || transform.hue !== 0) {
    steps.push((image) => image.modulate({ brightness: transform.brightness, saturation: transform.saturation, hue: transform.hue }));
  }
  if (transform.grayscale) steps.push((image) => image.recomb(GREYSCALE_MATRIX));
  if (transform.sharpen !== null) steps.push((image) => image.sharpen({ sigma: transform.sharpen! }));
  if (transform.blur !== null) steps.push((image) => image.blur(transform.blur!));
  return steps;
}

function resizeStep(plan: CompressPlan): Step | null {
  const { width, height, fit } = plan;
  if (width === null && height === null) return null;
  if (fit === 'INSIDE')
    return (image) => image.resize(width ?? undefined, height ?? undefined, { fit: 'inside', withoutEnlargement: true });
  const box = { width: width!, height: height! };
  if (fit === 'COVER') return (image) => image.resize({ ...box, fit: 'cover', position: POSITIONS[plan.transform?.focus ?? 'CENTER'] });
  if (fit === 'FILL') return (image) => image.resize({ ...box, fit: 'fill' });
  const background = plan.transform?.background;
  return (image) =>
    image.resize({ ...box, fit: 'contain', background: background ? { ...parseHexColour(background), alpha: 1 } : TRANSPARENT });
}

/**
 * The original's pixels with the plan's edits and resize applied, as raw sRGB (3 or 4 channels).
 * `decoded` is the oriented original in sRGB, not yet resized.
 */
export async function transformedPixels(decoded: Sharp, plan: CompressPlan, timeoutSeconds: () => number): Promise<RawImage> {
  const crop = plan.transform?.crop;
  const steps = plan.transform ? editSteps(plan.transform) : [];
  const resize = resizeStep(plan);
  const first = crop ? decoded.extract(crop) : decoded;
  // With nothing between the crop and the resize, sharp's own order (extract, then resize) is
  // the documented one: one pipeline, and the full-size pixels never leave libvips.
  if (steps.length === 0) return toRaw(resize ? resize(first) : first, timeoutSeconds());
  let pixels = await toRaw(first, timeoutSeconds());
  if (resize) steps.push(resize);
  for (const step of steps) {
    const { width, height, channels } = pixels;
    pixels = await toRaw(step(sharp(pixels.data, { raw: { width, height, channels: channels as 3 | 4 } })), timeoutSeconds());
  }
  return pixels;
}

async function toRaw(image: Sharp, timeoutSeconds: number): Promise<RawImage> {
  const { data, info } = await image.raw({ depth: 'uchar' }).timeout({ seconds: timeoutSeconds }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
