// The compression options form's state and what it sends: CompressOptions for the API.
import {
  AUTO_DEFAULT_TARGET_SSIM,
  DEFAULT_QUALITY,
  MAX_OUTPUT_SIDE,
  MAX_QUALITY,
  MAX_TARGET_SSIM,
  MIN_MAX_BYTES,
  MIN_QUALITY,
  MIN_TARGET_SSIM,
} from '../../../graphql/shared/compress-limits.ts';
import { FILE_EXTENSIONS, type ImageFormat } from '../../../graphql/shared/formats.ts';
import { TRANSFORM_RANGES } from '../../../graphql/shared/transform-limits.ts';
import type { CompressOptions, EncodeEffort, FitMode, Focus, OutputFormat, TransformInput } from '../gql/graphql.ts';

export type CompressMode = 'quality' | 'ssim' | 'size';

export interface CompressFormState {
  /** Empty string: keep the original's size on that side. */
  width: string;
  height: string;
  lockAspect: boolean;
  format: OutputFormat;
  mode: CompressMode;
  quality: number;
  targetSsim: number;
  /** Kilobytes (1024 bytes), as people think of file sizes. */
  maxKilobytes: string;
  fit: FitMode;
  edits: EditState;
  /** No control of its own: set by a preset that names one, and sent with the options. */
  effort?: EncodeEffort | null;
}

export interface CropRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** CompressOptions.transform as the form holds it: every field at its no-change value by default. */
export interface EditState {
  /** In pixels of the original as displayed; null: the whole image. */
  crop: CropRect | null;
  rotate: 0 | 90 | 180 | 270;
  flip: boolean;
  flop: boolean;
  brightness: number;
  saturation: number;
  hue: number;
  grayscale: boolean;
  /** 0: off (the API's range starts above 0). */
  sharpen: number;
  blur: number;
  focus: Focus;
  background: string;
}

export const FIT_MODES: ReadonlyArray<{ value: FitMode; label: string }> = [
  { value: 'INSIDE', label: 'Inside the box (keep proportions)' },
  { value: 'COVER', label: 'Cover the box (crop the overflow)' },
  { value: 'CONTAIN', label: 'Contain (pad with background)' },
  { value: 'FILL', label: 'Fill (stretch)' },
];

export const FOCUS_MODES: ReadonlyArray<{ value: Focus; label: string }> = [
  { value: 'CENTER', label: 'Centre' },
  { value: 'ATTENTION', label: 'What draws the eye' },
  { value: 'ENTROPY', label: 'Most detail' },
];

export function initialEdits(): EditState {
  return {
    crop: null,
    rotate: 0,
    flip: false,
    flop: false,
    brightness: 1,
    saturation: 1,
    hue: 0,
    grayscale: false,
    sharpen: 0,
    blur: 0,
    focus: 'CENTER',
    background: '#ffffff',
  };
}

/** The size the edits leave before resizing: the crop's, turned by a quarter rotation. */
export function editedSize(edits: EditState, original: { width: number; height: number }): { width: number; height: number } {
  const { width, height } = edits.crop ?? original;
  return edits.rotate === 90 || edits.rotate === 270 ? { width: height, height: width } : { width, height };
}

/** The transform to send: only what changes the picture (null when nothing does). */
export function toTransformInput(edits: EditState, fit: FitMode, format: OutputFormat): TransformInput | null {
  const transform: TransformInput = {};
  if (edits.crop) transform.crop = { ...edits.crop };
  if (edits.rotate !== 0) transform.rotate = edits.rotate;
  if (edits.flip) transform.flip = true;
  if (edits.flop) transform.flop = true;
  if (edits.brightness !== 1) transform.brightness = edits.brightness;
  if (edits.saturation !== 1) transform.saturation = edits.saturation;
  if (edits.hue !== 0) transform.hue = Math.round(edits.hue);
  if (edits.grayscale) transform.grayscale = true;
  if (edits.sharpen >= TRANSFORM_RANGES.sharpen.min) transform.sharpen = edits.sharpen;
  if (edits.blur >= TRANSFORM_RANGES.blur.min) transform.blur = edits.blur;
  if (fit === 'COVER' && edits.focus !== 'CENTER') transform.focus = edits.focus;
  // The background pads CONTAIN (transparently when none is sent) and is JPEG's matte (white
  // when none is sent); anywhere else it changes nothing.
  const matters = fit === 'CONTAIN' || ((format === 'JPEG' || format === 'AUTO') && edits.background.toLowerCase() !== '#ffffff');
  if (matters) transform.background = edits.background;
  return Object.keys(transform).length > 0 ? transform : null;
}

export const FORMAT_CHOICES: ReadonlyArray<{ value: OutputFormat; label: string }> = [
  { value: 'AUTO', label: 'Auto (smallest that looks right)' },
  { value: 'JPEG', label: 'JPEG' },
  { value: 'WEBP', label: 'WebP' },
  { value: 'AVIF', label: 'AVIF' },
  { value: 'PNG', label: 'PNG' },
];

export const MODES: ReadonlyArray<{ value: CompressMode; label: string }> = [
  { value: 'quality', label: 'Quality' },
  { value: 'ssim', label: 'Target SSIM' },
  { value: 'size', label: 'Max size' },
];

export function initialCompressState(original: { width: number; height: number }): CompressFormState {
  const longest = Math.max(original.width, original.height);
  // A sensible first suggestion: web size for big photos, the original size for small ones.
  const scale = longest > 1600 ? 1600 / longest : 1;
  return {
    width: String(Math.max(1, Math.round(original.width * scale))),
    height: String(Math.max(1, Math.round(original.height * scale))),
    lockAspect: true,
    // WebP at quality 80: a good result from one quick encode, so the first preview is fast.
    format: 'WEBP',
    mode: 'quality',
    quality: DEFAULT_QUALITY,
    targetSsim: AUTO_DEFAULT_TARGET_SSIM,
    maxKilobytes: '200',
    fit: 'INSIDE',
    edits: initialEdits(),
  };
}

/** The other side when the aspect ratio is locked: 800 wide of 4000×3000 -> 600 high. */
export function lockedSide(value: number, from: number, to: number): number {
  if (!Number.isFinite(value) || value <= 0 || from <= 0) return 0;
  return Math.max(1, Math.round((value * to) / from));
}

export function parsePositiveInt(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const value = Number.parseInt(text, 10);
  return value > 0 ? value : null;
}

export type OptionsCheck = { ok: true; options: CompressOptions } | { ok: false; field: string; message: string };

/** The API's input for this state, or which field is wrong and why (checked before sending). */
export function toCompressOptions(state: CompressFormState, original: { width: number; height: number }): OptionsCheck {
  const options: CompressOptions = { format: state.format };
  const source = editedSize(state.edits, original);
  const width = state.width.trim() === '' ? null : parsePositiveInt(state.width);
  const height = state.height.trim() === '' ? null : parsePositiveInt(state.height);
  if (state.width.trim() !== '' && width === null) return { ok: false, field: 'width', message: 'Width must be a whole number of pixels.' };
  if (state.height.trim() !== '' && height === null)
    return { ok: false, field: 'height', message: 'Height must be a whole number of pixels.' };
  if (width !== null && width > MAX_OUTPUT_SIDE)
    return { ok: false, field: 'width', message: `Width can be at most ${MAX_OUTPUT_SIDE} px.` };
  if (height !== null && height > MAX_OUTPUT_SIDE)
    return { ok: false, field: 'height', message: `Height can be at most ${MAX_OUTPUT_SIDE} px.` };
  if (state.fit !== 'INSIDE') {
    // The other fits make exactly the box asked for, larger than the source or not.
    if (width === null || height === null) return { ok: false, field: 'fit', message: 'This fit needs both a width and a height.' };
    options.width = width;
    options.height = height;
    options.fit = state.fit;
  } else {
    // Only what changes the result: the source's own size is no resize at all.
    if (width !== null && width < source.width) options.width = width;
    if (height !== null && height < source.height) options.height = height;
  }
  const transform = toTransformInput(state.edits, state.fit, state.format);
  if (transform) options.transform = transform;
  if (state.effort) options.effort = state.effort;
  if (state.mode === 'quality') {
    if (state.format === 'AUTO') {
      return {
        ok: false,
        field: 'quality',
        message: 'Auto picks the quality for each format: choose Target SSIM or Max size, or pick a format.',
      };
    }
    if (!(state.quality >= MIN_QUALITY && state.quality <= MAX_QUALITY))
      return { ok: false, field: 'quality', message: `Quality is between ${MIN_QUALITY} and ${MAX_QUALITY}.` };
    options.quality = Math.round(state.quality);
  } else if (state.mode === 'ssim') {
    if (!(state.targetSsim >= MIN_TARGET_SSIM && state.targetSsim <= MAX_TARGET_SSIM)) {
      return { ok: false, field: 'targetSsim', message: `Target SSIM is between ${MIN_TARGET_SSIM} and ${MAX_TARGET_SSIM}.` };
    }
    options.targetSsim = state.targetSsim;
  } else {
    const kilobytes = Number(state.maxKilobytes);
    if (!Number.isFinite(kilobytes) || kilobytes <= 0) return { ok: false, field: 'maxBytes', message: 'Enter a size in KB.' };
    const bytes = Math.round(kilobytes * 1024);
    if (bytes < MIN_MAX_BYTES)
      return { ok: false, field: 'maxBytes', message: `The size budget must be at least ${MIN_MAX_BYTES / 1024} KB.` };
    options.maxBytes = bytes;
  }
  return { ok: true, options };
}

/** "beach" + WEBP -> "beach.webp" (the name a download gets). */
/**
 * The names as given, except that a repeated one gets " (2)", " (3)"… before its extension: two
 * compressions with the same format, width and quality still save as two files.
 */
export function distinctNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : name.replace(/(\.[a-z0-9]{1,5})?$/i, ` (${count})$1`);
  });
}

export function downloadName(name: string, format: string): string {
  const extension = FILE_EXTENSIONS[format.toUpperCase() as ImageFormat] ?? format.toLowerCase();
  const base = name.replace(/\.[a-z0-9]{1,5}$/i, '') || 'image';
  return `${base}.${extension}`;
}

/** A saved preset's options, as the API returns them (unset fields are null). */
export interface PresetOptionsView {
  width?: number | null;
  height?: number | null;
  format?: OutputFormat | null;
  quality?: number | null;
  targetSsim?: number | null;
  maxBytes?: number | null;
  effort?: EncodeEffort | null;
  fit?: FitMode | null;
  /** Never a crop: a preset keeps none. */
  transform?: PresetTransformView | null;
}

export interface PresetTransformView {
  rotate: number;
  flip: boolean;
  flop: boolean;
  brightness: number;
  saturation: number;
  hue: number;
  grayscale: boolean;
  sharpen?: number | null;
  blur?: number | null;
  focus: Focus;
  background?: string | null;
}

/**
 * The form state a preset asks for on this image: the whole option set, the edits included (a
 * preset without edits resets them; the crop, which a preset never holds, stays). With fit
 * INSIDE, sizes above the edited picture's are capped to it (nothing is enlarged) and one side
 * given keeps the aspect ratio; the other fits make exactly the preset's box. A preset without a
 * format keeps the format chosen now.
 */
export function stateFromPreset(
  options: PresetOptionsView,
  original: { width: number; height: number },
  current: CompressFormState,
): CompressFormState {
  const neutral = initialEdits();
  const saved = options.transform;
  const edits: EditState = saved
    ? {
        ...neutral,
        rotate: saved.rotate as EditState['rotate'],
        flip: saved.flip,
        flop: saved.flop,
        brightness: saved.brightness,
        saturation: saved.saturation,
        hue: saved.hue,
        grayscale: saved.grayscale,
        sharpen: saved.sharpen ?? 0,
        blur: saved.blur ?? 0,
        focus: saved.focus,
        background: saved.background ?? neutral.background,
        crop: current.edits.crop,
      }
    : { ...neutral, crop: current.edits.crop };
  const fit = options.fit ?? 'INSIDE';
  const source = editedSize(edits, original);
  const state: CompressFormState = {
    ...current,
    edits,
    fit,
    effort: options.effort ?? null,
    lockAspect: true,
    width: String(source.width),
    height: String(source.height),
  };
  if (fit !== 'INSIDE' && options.width != null && options.height != null) {
    Object.assign(state, { width: String(options.width), height: String(options.height), lockAspect: false });
  } else {
    const width = options.width == null ? null : Math.min(options.width, source.width);
    const height = options.height == null ? null : Math.min(options.height, source.height);
    if (width !== null && height !== null) Object.assign(state, { width: String(width), height: String(height), lockAspect: false });
    else if (width !== null) Object.assign(state, { width: String(width), height: String(lockedSide(width, source.width, source.height)) });
    else if (height !== null)
      Object.assign(state, { height: String(height), width: String(lockedSide(height, source.height, source.width)) });
  }
  if (options.format) state.format = options.format;
  if (options.targetSsim != null) Object.assign(state, { mode: 'ssim', targetSsim: options.targetSsim });
  else if (options.maxBytes != null)
    Object.assign(state, { mode: 'size', maxKilobytes: String(Math.max(1, Math.round(options.maxBytes / 1024))) });
  else if (state.format === 'AUTO') Object.assign(state, { mode: 'ssim', targetSsim: 0.98 });
  else Object.assign(state, { mode: 'quality', quality: options.quality ?? 80 });
  return state;
}

/** The crop kept inside the image, whole pixels, at least 1×1. */
export function clampCrop(crop: CropRect, original: { width: number; height: number }): CropRect {
  const width = Math.min(original.width, Math.max(1, Math.round(crop.width)));
  const height = Math.min(original.height, Math.max(1, Math.round(crop.height)));
  const left = Math.min(original.width - width, Math.max(0, Math.round(crop.left)));
  const top = Math.min(original.height - height, Math.max(0, Math.round(crop.top)));
  return { left, top, width, height };
}

/** Where a new crop box starts: the middle 80% of the image. */
export function initialCrop(original: { width: number; height: number }): CropRect {
  return clampCrop(
    { left: original.width * 0.1, top: original.height * 0.1, width: original.width * 0.8, height: original.height * 0.8 },
    original,
  );
}
