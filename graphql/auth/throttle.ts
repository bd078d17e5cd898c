// Refuses logins for a username from an address after too many failures in a window, before any
// hashing is done, so guessing costs the guesser time and costs us nothing. The failures are kept
// in the storage backend's counters, so with several instances they count toward one limit.
import type { RateCounters } from '../store/ports.ts';

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
}

export const LOGIN_THROTTLE: ThrottleOptions = { maxFailures: 10, windowMs: 15 * 60_000 };

export class LoginThrottle {
  private readonly counters: RateCounters;
  private readonly options: ThrottleOptions;
  private readonly now: () => number;

  constructor(counters: RateCounters, options: ThrottleOptions = LOGIN_THROTTLE, now: () => number = Date.now) {
    this.counters = counters;
    this.options = options;
    this.now = now;
  }

  /**
   * Counts an attempt as a failure before the (slow) password check, so parallel guesses cannot
   * all pass the check before any is recorded; returns the seconds to wait when over the limit
   * (the attempt is then not counted), else 0. recordSuccess clears the count.
   */
  async begin(username: string, address: string): Promise<number> {
    const entry = key(username, address);
    const { count, oldestMs } = await this.counters.count(entry, this.options.windowMs);
    if (count >= this.options.maxFailures) return retryAfter(oldestMs, this.options.windowMs, this.now());
    const counted = await this.counters.add(entry, this.options.windowMs);
    if (counted > this.options.maxFailures) {
      // Another attempt (on this or another instance) took the last one between count and add.
      const { oldestMs: oldest } = await this.counters.count(entry, this.options.windowMs);
      return retryAfter(oldest, this.options.windowMs, this.now());
    }
    return 0;
  }

  async recordSuccess(username: string, address: string): Promise<void> {
    await this.counters.clear(key(username, address));
  }
}

function retryAfter(oldestMs: number | null, windowMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil(((oldestMs ?? nowMs) + windowMs - nowMs) / 1000));
}

function key(username: string, address: string): string {
  return `login:${username.toLowerCase()}\n${address}`;
}
