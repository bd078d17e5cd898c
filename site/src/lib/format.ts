// How numbers read on screen: sizes, dimensions, savings, dates.

const UNITS = ['B', 'KB', 'MB', 'GB'] as const;

/** 1536 -> "1.5 KB", 0 -> "0 B" (powers of 1024, the way file managers show them). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${UNITS[unit]}`;
}

export function formatDimensions(width: number, height: number): string {
  return `${width} × ${height}`;
}

/** 0.4234 -> "42% smaller", -0.1 -> "10% larger". */
export function formatSavings(savings: number): string {
  const percent = Math.round(Math.abs(savings) * 100);
  if (percent === 0) return 'same size';
  return savings > 0 ? `${percent}% smaller` : `${percent}% larger`;
}

export function savingsOf(bytes: number, originalBytes: number): number {
  return originalBytes > 0 ? 1 - bytes / originalBytes : 0;
}

export function formatSsim(ssim: number | null | undefined): string {
  return ssim == null ? '—' : ssim.toFixed(4);
}

// Made once: toLocaleDateString builds a formatter on every call, which showed up as a tenth of
// the gallery page's CPU under load.
const DATE_FORMAT = new Intl.DateTimeFormat('en', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return DATE_FORMAT.format(date);
}

/** "holiday, beach ,, sea" -> ["holiday", "beach", "sea"] (trimmed, no empties, no duplicates). */
export function parseTags(text: string): string[] {
  const tags: string[] = [];
  for (const part of text.split(',')) {
    const tag = part.trim();
    if (tag && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}
