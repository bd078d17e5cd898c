// Refuses logins for a username from an address after too many failures in a window, before any
// hashing is done, so guessing costs the guesser time and costs us nothing.

export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Entries kept at most; the oldest are dropped first so a flood cannot grow memory. */
  maxEntries: number;
}

export const LOGIN_THROTTLE: ThrottleOptions = { maxFailures: 10, windowMs: 15 * 60_000, maxEntries: 100_000 };

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly options: ThrottleOptions;
  private readonly now: () => number;

  constructor(options: ThrottleOptions = LOGIN_THROTTLE, now: () => number = Date.now) {
    this.options = options;
    this.now = now;
  }

  /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
  retryAfterSeconds(username: string, address: string): number {
    const recent = this.recentFailures(key(username, address));
    if (recent.length < this.options.maxFailures) return 0;
    const oldest = recent[recent.length - this.options.maxFailures]!;
    return Math.max(1, Math.ceil((oldest + this.options.windowMs - this.now()) / 1000));
  }

  recordFailure(username: string, address: string): void {
    const entry = key(username, address);
    const recent = this.recentFailures(entry);
    recent.push(this.now());
    this.failures.delete(entry);
    this.failures.set(entry, recent.slice(-this.options.maxFailures));
    if (this.failures.size > this.options.maxEntries) {
      const oldestKey = this.failures.keys().next().value;
      if (oldestKey !== undefined) this.failures.delete(oldestKey);
    }
  }

  recordSuccess(username: string, address: string): void {
    this.failures.delete(key(username, address));
  }

  private recentFailures(entry: string): number[] {
    const cutoff = this.now() - this.options.windowMs;
    return (this.failures.get(entry) ?? []).filter((time) => time > cutoff);
  }
}

function key(username: string, address: string): string {
  return `${username.toLowerCase()}\n${address}`;
}
