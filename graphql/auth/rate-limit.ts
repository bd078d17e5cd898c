// Counting hits per key in a time window: logins and sign-ups per address, decoded pixels per
// user. Behind a small interface: limits that must hold across instances (per-address log-ins and
// sign-ups) run on the storage backend's RateCounters (memory, or Postgres with several
// instances); per-instance budgets (decoding, which is this instance's CPU) on MemoryRateLimiter.
import type { RateCounters } from '../store/ports.ts';

export interface RateLimitVerdict {
  allowed: boolean;
  /** Seconds until the key's window resets (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /**
   * Counts `cost` (default 1) against `key` when that keeps it within `limit` per `windowMs`,
   * and says whether it did. A refused hit is not counted, so hammering does not extend the wait.
   */
  hit(key: string, limit: number, windowMs: number, cost?: number): Promise<RateLimitVerdict>;
}

interface Window {
  startedAt: number;
  used: number;
}

/** Fixed windows per key. At most `maxKeys` are kept; the least recently reset go first. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(maxKeys = 100_000, now: () => number = Date.now) {
    this.maxKeys = maxKeys;
    this.now = now;
  }

  async hit(key: string, limit: number, windowMs: number, cost = 1): Promise<RateLimitVerdict> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    }
    if (window.used + cost > limit) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000)) };
    }
    window.used += cost;
    return { allowed: true, retryAfterSeconds: 0 };
  }
}

/**
 * A RateLimiter on the storage backend's sliding-window counters. Each unit of cost is one event,
 * so it suits small costs (one log-in, one sign-up). Like the login throttle, the hit is counted
 * and then checked again, so parallel hits on several instances cannot all take the last unit.
 */
export function rateLimiterOn(counters: RateCounters, now: () => number = Date.now): RateLimiter {
  const refusal = (oldestMs: number | null, windowMs: number): RateLimitVerdict => ({
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil(((oldestMs ?? now()) + windowMs - now()) / 1000)),
  });
  return {
    async hit(key, limit, windowMs, cost = 1) {
      const before = await counters.count(key, windowMs);
      if (before.count + cost > limit) return refusal(before.oldestMs, windowMs);
      let counted = before.count;
      for (let unit = 0; unit < cost; unit++) counted = await counters.add(key, windowMs);
      if (counted > limit) return refusal((await counters.count(key, windowMs)).oldestMs, windowMs);
      return { allowed: true, retryAfterSeconds: 0 };
    },
  };
}
