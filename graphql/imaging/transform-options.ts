// CompressOptions.transform as the API receives it, checked and with its defaults filled in.
// Ranges are refused with the field's path ('options.transform.rotate'); a crop that cannot fit
// any image (an empty or negative rectangle) is an InvalidTransformError, like one that does not
// fit this image (checked in transform.ts, where the image's size is known).
import { InvalidTransformError, ValidationError } from '../errors.ts';
import { ROTATIONS, TRANSFORM_RANGES } from '../shared/transform-limits.ts';
import type { CropRect, Focus, TransformSettings } from '../store/records.ts';

export interface TransformInput {
  crop?: CropRect | null;
  rotate?: number | null;
  flip?: boolean | null;
  flop?: boolean | null;
  brightness?: number | null;
  saturation?: number | null;
  hue?: number | null;
  grayscale?: boolean | null;
  sharpen?: number | null;
  blur?: number | null;
  focus?: Focus | null;
  background?: string | null;
}

export const CROP_FIELD = 'options.transform.crop';
const RANGES = TRANSFORM_RANGES;
const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

const field = (name: string) => `options.transform.${name}`;

function inRange(value: number | null | undefined, name: keyof typeof RANGES, whole = false): number | null {
  if (value == null) return null;
  const { min, max } = RANGES[name];
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    throw new ValidationError(`${name} must be ${whole ? 'a whole number ' : ''}from ${min} to ${max}.`, field(name));
  }
  return value;
}

function checkCrop(crop: CropRect | null | undefined): CropRect | null {
  if (!crop) return null;
  const { left, top, width, height } = crop;
  if (![left, top, width, height].every(Number.isInteger)) throw new ValidationError('crop is in whole pixels.', CROP_FIELD);
  if (width < 1 || height < 1) throw new InvalidTransformError(`The crop ${width}×${height} is empty.`, CROP_FIELD);
  if (left < 0 || top < 0) throw new InvalidTransformError('The crop starts outside the image (left and top are at least 0).', CROP_FIELD);
  return { left, top, width, height };
}

/** The transform with defaults filled in, or null when it changes nothing. */
export function validateTransform(input: TransformInput): TransformSettings | null {
  const rotate = input.rotate ?? 0;
  if (!(ROTATIONS as readonly number[]).includes(rotate)) {
    throw new ValidationError('rotate must be 0, 90, 180 or 270 (degrees clockwise).', field('rotate'));
  }
  const background = input.background ?? null;
  if (background !== null && !HEX_COLOUR.test(background)) {
    throw new ValidationError('background must be a colour written #rrggbb.', field('background'));
  }
  const settings: TransformSettings = {
    crop: checkCrop(input.crop),
    rotate: rotate as TransformSettings['rotate'],
    flip: input.flip ?? false,
    flop: input.flop ?? false,
    brightness: inRange(input.brightness, 'brightness') ?? 1,
    saturation: inRange(input.saturation, 'saturation') ?? 1,
    hue: inRange(input.hue, 'hue', true) ?? 0,
    grayscale: input.grayscale ?? false,
    sharpen: inRange(input.sharpen, 'sharpen'),
    blur: inRange(input.blur, 'blur'),
    focus: input.focus ?? 'CENTER',
    background: background?.toLowerCase() ?? null,
  };
  return isIdentity(settings) ? null : settings;
}

function isIdentity(settings: TransformSettings): boolean {
  return (
    settings.crop === null &&
    settings.rotate === 0 &&
    !settings.flip &&
    !settings.flop &&
    settings.brightness === 1 &&
    settings.saturation === 1 &&
    settings.hue === 0 &&
    !settings.grayscale &&
    settings.sharpen === null &&
    settings.blur === null &&
    settings.focus === 'CENTER' &&
    settings.background === null
  );
}

/** '#ff8800' -> { r: 255, g: 136, b: 0 }. */
export function parseHexColour(hex: string): { r: number; g: number; b: number } {
  const value = Number.parseInt(hex.slice(1), 16);
  return { r: (value >> 16) & 0xff, g: (value >> 8) & 0xff, b: value & 0xff };
}
