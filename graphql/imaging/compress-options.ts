// CompressOptions as the API receives them, checked and turned into a plan. Every refusal names
// the input field at fault ('options.width'), so a client can point at it.
import { ValidationError } from '../errors.ts';
import {
  AUTO_DEFAULT_TARGET_SSIM,
  DEFAULT_QUALITY,
  MAX_OUTPUT_SIDE,
  MAX_QUALITY,
  MAX_TARGET_SSIM,
  MIN_MAX_BYTES,
  MIN_QUALITY,
  MIN_TARGET_SSIM,
} from '../shared/compress-limits.ts';
import type { ImageFormat, OutputFormat, RequestedFormat } from '../shared/formats.ts';
import type { CompressionSettings, FitMode, TransformSettings } from '../store/records.ts';
import type { EncodeEffort } from './encoders.ts';
import { validateTransform, type TransformInput } from './transform-options.ts';

export type { OutputFormat, RequestedFormat };

/** What to aim for: a fixed encoder quality, the smallest output reaching an SSIM, or a byte budget. */
export type CompressGoal = { kind: 'quality'; quality: number } | { kind: 'ssim'; target: number } | { kind: 'bytes'; maxBytes: number };

export interface CompressPlan {
  width: number | null;
  height: number | null;
  /** null: the original's format (PNG for a GIF). */
  format: RequestedFormat | null;
  goal: CompressGoal;
  effort: EncodeEffort;
  /** How width × height is met; anything but INSIDE needs both. */
  fit: FitMode;
  /** Edits before resizing; null when there are none. */
  transform: TransformSettings | null;
  /**
   * Whether the caller wants the output's SSIM. Measuring it decodes the output again and compares
   * it with the resized original (a third of a one-shot job's CPU); a fixed-quality job that is not
   * asked for it runs as one libvips pipeline from the input file to the encoder.
   */
  measureSsim: boolean;
}

export interface CompressOptionsInput {
  width?: number | null;
  height?: number | null;
  format?: RequestedFormat | null;
  quality?: number | null;
  targetSsim?: number | null;
  maxBytes?: number | null;
  effort?: EncodeEffort | null;
  fit?: FitMode | null;
  transform?: TransformInput | null;
}

const FIELD = (name: string) => `options.${name}`;

function checkSide(value: number | null | undefined, name: 'width' | 'height'): number | null {
  if (value == null) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_OUTPUT_SIDE) {
    throw new ValidationError(`${name} must be a whole number of pixels from 1 to ${MAX_OUTPUT_SIDE}.`, FIELD(name));
  }
  return value;
}

export function validateCompressOptions(input: CompressOptionsInput): CompressPlan {
  const width = checkSide(input.width, 'width');
  const height = checkSide(input.height, 'height');
  const format = input.format ?? null;

  const given = (['quality', 'targetSsim', 'maxBytes'] as const).filter((name) => input[name] != null);
  if (given.length > 1) {
    throw new ValidationError(`Give at most one of quality, targetSsim and maxBytes (got ${given.join(' and ')}).`, FIELD(given[1]!));
  }

  let goal: CompressGoal;
  if (input.quality != null) {
    const quality = input.quality;
    if (!Number.isInteger(quality) || quality < MIN_QUALITY || quality > MAX_QUALITY) {
      throw new ValidationError(`quality must be a whole number from ${MIN_QUALITY} to ${MAX_QUALITY}.`, FIELD('quality'));
    }
    if (format === 'AUTO') {
      throw new ValidationError(
        'AUTO chooses the quality per format: give targetSsim or maxBytes instead (or neither, for targetSsim 0.98).',
        FIELD('quality'),
      );
    }
    goal = { kind: 'quality', quality };
  } else if (input.targetSsim != null) {
    const target = input.targetSsim;
    if (!Number.isFinite(target) || target < MIN_TARGET_SSIM || target > MAX_TARGET_SSIM) {
      throw new ValidationError(`targetSsim must be from ${MIN_TARGET_SSIM} to ${MAX_TARGET_SSIM}.`, FIELD('targetSsim'));
    }
    goal = { kind: 'ssim', target };
  } else if (input.maxBytes != null) {
    const maxBytes = input.maxBytes;
    if (!Number.isInteger(maxBytes) || maxBytes < MIN_MAX_BYTES) {
      throw new ValidationError(`maxBytes must be a whole number of at least ${MIN_MAX_BYTES}.`, FIELD('maxBytes'));
    }
    goal = { kind: 'bytes', maxBytes };
  } else {
    goal = format === 'AUTO' ? { kind: 'ssim', target: AUTO_DEFAULT_TARGET_SSIM } : { kind: 'quality', quality: DEFAULT_QUALITY };
  }
  const fit = input.fit ?? 'INSIDE';
  if (fit !== 'INSIDE' && (width === null || height === null)) {
    // Without a box there is nothing to cover, pad to or stretch to.
    throw new ValidationError(`fit ${fit} needs both width and height.`, FIELD('fit'));
  }
  const transform = input.transform ? validateTransform(input.transform) : null;
  return { width, height, format, goal, effort: input.effort ?? 'BALANCED', fit, transform, measureSsim: true };
}

/** Whether the plan asks for more than a plain resize (then the pixels go through transform.ts). */
export function hasEdits(plan: CompressPlan): boolean {
  return plan.transform !== null || plan.fit !== 'INSIDE';
}

/** What a stored compression records of how it was made. */
export function settingsOf(plan: CompressPlan, original: ImageFormat): CompressionSettings {
  const { goal } = plan;
  return {
    width: plan.width,
    height: plan.height,
    fit: plan.fit,
    format: plan.format ?? defaultOutputFormat(original),
    quality: goal.kind === 'quality' ? goal.quality : null,
    targetSsim: goal.kind === 'ssim' ? goal.target : null,
    maxBytes: goal.kind === 'bytes' ? goal.maxBytes : null,
    effort: plan.effort,
    transform: plan.transform,
  };
}

/** The format to produce when the request names none: the original's, PNG for a GIF. */
export function defaultOutputFormat(original: ImageFormat): OutputFormat {
  return original === 'GIF' ? 'PNG' : original;
}

/**
 * Whether a compression is a short image job (ImageJobOptions.short): one encode at a fixed quality
 * in a fast format, so its length is bounded by one decode of the original. Searches, AUTO, AVIF
 * and SMALLEST are not: they may take many times as long.
 */
export function isShortJob(plan: CompressPlan, original: ImageFormat | null): boolean {
  const format = plan.format ?? (original && defaultOutputFormat(original));
  return plan.goal.kind === 'quality' && (format === 'JPEG' || format === 'WEBP') && plan.effort !== 'SMALLEST';
}
