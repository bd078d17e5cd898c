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
import type { CompressOptions, OutputFormat } from '../gql/graphql.ts';

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
  const width = state.width.trim() === '' ? null : parsePositiveInt(state.width);
  const height = state.height.trim() === '' ? null : parsePositiveInt(state.height);
  if (state.width.trim() !== '' && width === null) return { ok: false, field: 'width', message: 'Width must be a whole number of pixels.' };
  if (state.height.trim() !== '' && height === null) return { ok: false, field: 'height', message: 'Height must be a whole number of pixels.' };
  if (width !== null && width > MAX_OUTPUT_SIDE) return { ok: false, field: 'width', message: `Width can be at most ${MAX_OUTPUT_SIDE} px.` };
  if (height !== null && height > MAX_OUTPUT_SIDE) return { ok: false, field: 'height', message: `Height can be at most ${MAX_OUTPUT_SIDE} px.` };
  // Only what changes the result: the original's own size is no resize at all.
  if (width !== null && width < original.width) options.width = width;
  if (height !== null && height < original.height) options.height = height;
  if (state.mode === 'quality') {
    if (state.format === 'AUTO') {
      return { ok: false, field: 'quality', message: 'Auto picks the quality for each format: choose Target SSIM or Max size, or pick a format.' };
    }
    if (!(state.quality >= MIN_QUALITY && state.quality <= MAX_QUALITY)) return { ok: false, field: 'quality', message: `Quality is between ${MIN_QUALITY} and ${MAX_QUALITY}.` };
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
    if (bytes < MIN_MAX_BYTES) return { ok: false, field: 'maxBytes', message: `The size budget must be at least ${MIN_MAX_BYTES / 1024} KB.` };
    options.maxBytes = bytes;
  }
  return { ok: true, options };
}

/** "beach" + WEBP -> "beach.webp" (the name a download gets). */
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
}

/**
 * The form state a preset asks for on this image: sizes above the original's are the original's
 * (nothing is enlarged), one side given keeps the aspect ratio, a preset without a format keeps
 * the format chosen now.
 */
export function stateFromPreset(options: PresetOptionsView, original: { width: number; height: number }, current: CompressFormState): CompressFormState {
  const state: CompressFormState = { ...current, lockAspect: true, width: String(original.width), height: String(original.height) };
  const width = options.width == null ? null : Math.min(options.width, original.width);
  const height = options.height == null ? null : Math.min(options.height, original.height);
  if (width !== null && height !== null) Object.assign(state, { width: String(width), height: String(height), lockAspect: false });
  else if (width !== null) Object.assign(state, { width: String(width), height: String(lockedSide(width, original.width, original.height)) });
  else if (height !== null) Object.assign(state, { height: String(height), width: String(lockedSide(height, original.height, original.width)) });
  if (options.format) state.format = options.format;
  if (options.targetSsim != null) Object.assign(state, { mode: 'ssim', targetSsim: options.targetSsim });
  else if (options.maxBytes != null) Object.assign(state, { mode: 'size', maxKilobytes: String(Math.max(1, Math.round(options.maxBytes / 1024))) });
  else if (state.format === 'AUTO') Object.assign(state, { mode: 'ssim', targetSsim: 0.98 });
  else Object.assign(state, { mode: 'quality', quality: options.quality ?? 80 });
  return state;
}
