// Islands that change the quota in use tell the page, and the header's quota (static HTML from
// the layout) follows without a reload.
export interface UsageNumbers {
  images: number;
  maxImages: number;
}

export const USAGE_EVENT = 'pixpress:usage';

export function publishUsage(usage: UsageNumbers): void {
  window.dispatchEvent(new CustomEvent<UsageNumbers>(USAGE_EVENT, { detail: usage }));
}

/** Share of the quota used, 0..100, for the meter. */
export function usedPercent(usage: UsageNumbers): number {
  return usage.maxImages > 0 ? Math.min(100, Math.round((usage.images / usage.maxImages) * 100)) : 0;
}
