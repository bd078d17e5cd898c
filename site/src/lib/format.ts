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

/** A shutter time as photographers write it: "1/250 s" below a second, "2.5 s" from one up. */
export function formatShutter(seconds: number): string {
  if (seconds >= 1) return `${Number(seconds.toFixed(1))} s`;
  return `1/${Math.round(1 / seconds)} s`;
}

/** Aperture, ISO and focal length joined with the shutter: "1/250 s · f/2.8 · ISO 400 · 50 mm". */
export function formatExposure(facts: {
  exposureTime?: number | null;
  fNumber?: number | null;
  iso?: number | null;
  focalLength?: number | null;
}): string | null {
  const parts = [
    facts.exposureTime ? formatShutter(facts.exposureTime) : null,
    facts.fNumber ? `f/${Number(facts.fNumber.toFixed(1))}` : null,
    facts.iso ? `ISO ${Math.round(facts.iso)}` : null,
    facts.focalLength ? `${Number(facts.focalLength.toFixed(1))} mm` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** A camera's zone-less "2024-05-01T14:03:22" as it was on that clock: "1 May 2024, 14:03". */
export function formatTakenAt(clock: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(clock);
  if (!match) return clock;
  const [, year, month, day, hour, minute] = match;
  const monthName = new Date(Date.UTC(2000, Number(month) - 1, 1)).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${Number(day)} ${monthName} ${year}, ${hour}:${minute}`;
}
