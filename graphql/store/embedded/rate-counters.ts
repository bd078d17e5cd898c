// Sliding-window counters in process memory, for the embedded backend (one process, so memory is
// shared by every request there is). Bounded: the oldest keys are dropped first, so a flood of
// distinct keys cannot grow memory without limit.
import type { RateCounters } from '../ports.ts';

export class MemoryRateCounters implements RateCounters {
  private readonly events = new Map<string, number[]>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(maxKeys = 100_000, now: () => number = Date.now) {
    this.maxKeys = maxKeys;
    this.now = now;
  }

  async count(key: string, windowMs: number): Promise<{ count: number; oldestMs: number | null }> {
    const recent = this.recent(key, windowMs);
    return { count: recent.length, oldestMs: recent[0] ?? null };
  }

  async add(key: string, windowMs: number): Promise<number> {
    const recent = this.recent(key, windowMs);
    recent.push(this.now());
    // Re-inserted so that Map order is least recently used first.
    this.events.delete(key);
    this.events.set(key, recent);
    if (this.events.size > this.maxKeys) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
    return recent.length;
  }

  async clear(key: string): Promise<void> {
    this.events.delete(key);
  }

  private recent(key: string, windowMs: number): number[] {
    const cutoff = this.now() - windowMs;
    return (this.events.get(key) ?? []).filter((time) => time > cutoff);
  }
}
