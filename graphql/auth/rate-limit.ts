// Counting hits per key in a time window: logins and sign-ups per address, decoded pixels per
// user. Behind a small interface so a shared store (Postgres) can back it when several instances
// serve one site; the in-memory one below is exact for a single process.

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
