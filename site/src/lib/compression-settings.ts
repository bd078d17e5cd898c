// A stored compression's options in a few words for its row in the list:
// "crop 800×600 · rotate 90 · COVER · WebP q80".
import type { EncodeEffort, FitMode, Focus, OutputFormat } from '../gql/graphql.ts';

/** Compression.options as the image page selects it (every field optional in the transform). */
export interface Settings {
  width?: number | null;
  height?: number | null;
  fit: FitMode;
  format: OutputFormat;
  quality?: number | null;
  targetSsim?: number | null;
  maxBytes?: number | null;
  effort: EncodeEffort;
  transform?: {
    crop?: { left?: number; top?: number; width: number; height: number } | null;
    rotate?: number;
    flip?: boolean;
    flop?: boolean;
    brightness?: number;
    saturation?: number;
    hue?: number;
    grayscale?: boolean;
    sharpen?: number | null;
    blur?: number | null;
    focus?: Focus;
    background?: string | null;
  } | null;
}

export function summarizeSettings(settings: Settings | null | undefined): string {
  if (!settings) return '—';
  const parts: string[] = [];
  const transform = settings.transform;
  if (transform?.crop) parts.push(`crop ${transform.crop.width}×${transform.crop.height}`);
  if (transform?.rotate) parts.push(`rotate ${transform.rotate}`);
  if (transform?.flip) parts.push('flip');
  if (transform?.flop) parts.push('flop');
  if (settings.fit !== 'INSIDE') {
    const focus = settings.fit === 'COVER' && transform?.focus && transform.focus !== 'CENTER' ? ` ${transform.focus.toLowerCase()}` : '';
    parts.push(`${settings.fit}${focus}`);
  }
  if (settings.fit === 'CONTAIN' && transform?.background) parts.push(`background ${transform.background}`);
  if (transform?.brightness != null && transform.brightness !== 1) parts.push(`brightness ${transform.brightness}`);
  if (transform?.saturation != null && transform.saturation !== 1) parts.push(`saturation ${transform.saturation}`);
  if (transform?.hue) parts.push(`hue ${transform.hue}`);
  if (transform?.grayscale) parts.push('greyscale');
  if (transform?.sharpen) parts.push(`sharpen ${transform.sharpen}`);
  if (transform?.blur) parts.push(`blur ${transform.blur}`);
  if (settings.width != null || settings.height != null) parts.push(`box ${settings.width ?? 'any'}×${settings.height ?? 'any'}`);
  const goal =
    settings.quality != null
      ? `q${settings.quality}`
      : settings.targetSsim != null
        ? `SSIM ≥ ${settings.targetSsim}`
        : `≤ ${Math.round((settings.maxBytes ?? 0) / 1024)} KB`;
  parts.push(`${settings.format} ${goal}`);
  if (settings.effort !== 'BALANCED') parts.push(settings.effort.toLowerCase());
  return parts.join(' · ');
}
