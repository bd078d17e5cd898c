// Saved compression options ("Web 1600 WebP"): checked exactly as CompressOptions are when used,
// stored without nulls, one per name (ignoring case) and at most config.quotaPresets per user.
import { randomUUID } from 'node:crypto';
import { QuotaExceededError, ValidationError } from '../errors.ts';
import type { Services } from '../services.ts';
import type { PresetOptions, PresetRecord } from '../store/records.ts';
import { validateCompressOptions, type CompressOptionsInput } from './compress-options.ts';
import { validateTransform } from './transform-options.ts';

export const MAX_PRESET_NAME = 60;

export function validatePresetName(name: string): string {
  const trimmed = name.toWellFormed().replace(/\s+/g, ' ').trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (trimmed.length < 1 || trimmed.length > MAX_PRESET_NAME || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new ValidationError(`A preset name is 1 to ${MAX_PRESET_NAME} printable characters.`, 'name');
  }
  return trimmed;
}

/**
 * The options a preset keeps: validated like any CompressOptions, nulls dropped. A crop is
 * checked and then left out: it is a rectangle in pixels of one original, which on another image
 * would cut somewhere else or fall outside it. The other edits (rotation, colour, focus, ...)
 * mean the same on any image, so they are kept, with defaults filled in.
 */
export function presetOptionsOf(input: CompressOptionsInput): PresetOptions {
  const plan = validateCompressOptions(input);
  const options: PresetOptions = {};
  for (const key of ['width', 'height', 'format', 'quality', 'targetSsim', 'maxBytes', 'effort', 'fit'] as const) {
    if (input[key] != null) (options as Record<string, unknown>)[key] = input[key];
  }
  if (plan.transform) {
    const withoutCrop = validateTransform({ ...plan.transform, crop: null });
    if (withoutCrop) {
      const { crop: _crop, ...transform } = withoutCrop;
      options.transform = transform;
    }
  }
  return options;
}

export async function savePreset(services: Services, userId: string, name: string, input: CompressOptionsInput): Promise<PresetRecord> {
  const cleanName = validatePresetName(name);
  const now = new Date().toISOString();
  const saved = await services.records.savePreset(
    {
      id: randomUUID(),
      userId,
      name: cleanName,
      nameKey: cleanName.toLowerCase(),
      options: presetOptionsOf(input),
      createdAt: now,
      updatedAt: now,
    },
    services.config.quotaPresets,
  );
  if (saved === 'limit') {
    throw new QuotaExceededError(
      `You have ${services.config.quotaPresets} presets, the most an account may keep; delete one first.`,
      services.config.quotaPresets,
    );
  }
  return saved;
}
