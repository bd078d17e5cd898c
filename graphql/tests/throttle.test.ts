import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../auth/throttle.ts';

describe('LoginThrottle', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('refuses after 10 failures within 15 minutes and allows again once the oldest leaves the window', () => {
    const time = clock();
    const throttle = new LoginThrottle(undefined, time.now);
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(throttle.retryAfterSeconds('Alice', '10.0.0.1')).toBe(0);
      throttle.recordFailure('Alice', '10.0.0.1');
      time.advance(60_000);
    }
    // The first failure was 10 minutes ago: 5 minutes to go.
    expect(throttle.retryAfterSeconds('alice', '10.0.0.1')).toBe(300);
    expect(throttle.retryAfterSeconds('alice', '10.0.0.2')).toBe(0);
    expect(throttle.retryAfterSeconds('bob', '10.0.0.1')).toBe(0);
    time.advance(300_000);
    expect(throttle.retryAfterSeconds('alice', '10.0.0.1')).toBe(0);
  });

  it('forgets failures after a success', () => {
    const throttle = new LoginThrottle();
    for (let attempt = 0; attempt < 9; attempt++) throttle.recordFailure('carol', 'a');
    throttle.recordSuccess('carol', 'a');
    throttle.recordFailure('carol', 'a');
    expect(throttle.retryAfterSeconds('carol', 'a')).toBe(0);
  });

  it('keeps at most maxEntries keys, dropping the oldest', () => {
    const throttle = new LoginThrottle({ maxFailures: 1, windowMs: 60_000, maxEntries: 3 });
    for (const name of ['a', 'b', 'c', 'd']) throttle.recordFailure(name, 'x');
    expect(throttle.retryAfterSeconds('a', 'x')).toBe(0);
    expect(throttle.retryAfterSeconds('d', 'x')).toBeGreaterThan(0);
  });
});
