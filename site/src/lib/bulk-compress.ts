// The gallery's "Compress selected" form: a few fields, read into CompressOptions with the same
// checks as the compression panel's form.
import type { OutputFormat } from '../gql/graphql.ts';
import {
  FORMAT_CHOICES,
  initialCompressState,
  MODES,
  toCompressOptions,
  type CompressMode,
  type OptionsCheck,
} from './compress-options.ts';

// Each image has its own size; a width is always sent (the API never enlarges), so the form is
// checked as if the original were larger than any width.
const ANY_SIZE = { width: Number.POSITIVE_INFINITY, height: Number.POSITIVE_INFINITY };

export function bulkCompressOptions(form: FormData): OptionsCheck {
  const field = (name: string) => String(form.get(name) ?? '').trim();
  const format = FORMAT_CHOICES.find((choice) => choice.value === field('compressFormat'))?.value;
  const mode = MODES.find((choice) => choice.value === field('compressMode'))?.value;
  if (!format) return { ok: false, field: 'format', message: 'Choose a format.' };
  if (!mode) return { ok: false, field: 'mode', message: 'Choose quality, target SSIM or max size.' };
  const state = {
    ...initialCompressState({ width: 1, height: 1 }),
    width: field('compressWidth'),
    height: '',
    format: format as OutputFormat,
    mode: mode as CompressMode,
    quality: Number(field('compressQuality')),
    targetSsim: Number(field('compressSsim')),
    maxKilobytes: field('compressKilobytes'),
  };
  return toCompressOptions(state, ANY_SIZE);
}
