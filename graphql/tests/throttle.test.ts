import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../auth/throttle.ts';
import { MemoryRateCounters } from '../store/embedded/rate-counters.ts';

describe('LoginThrottle', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('refuses after 10 failures within 15 minutes and allows again once the oldest leaves the window', async () => {
    const time = clock();
    const throttle = new LoginThrottle(new MemoryRateCounters(100, time.now), undefined, time.now);
    for (let attempt = 0; attempt < 10; attempt++) {
      expect(await throttle.begin('Alice', '10.0.0.1')).toBe(0);
      time.advance(60_000);
    }
    // The first failure was 10 minutes ago: 5 minutes to go.
    expect(await throttle.begin('alice', '10.0.0.1')).toBe(300);
    expect(await throttle.begin('alice', '10.0.0.2')).toBe(0);
    expect(await throttle.begin('bob', '10.0.0.1')).toBe(0);
    time.advance(300_000);
    expect(await throttle.begin('alice', '10.0.0.1')).toBe(0);
  });

  it('forgets failures after a success', async () => {
    const throttle = new LoginThrottle(new MemoryRateCounters());
    for (let attempt = 0; attempt < 9; attempt++) await throttle.begin('carol', 'a');
    await throttle.recordSuccess('carol', 'a');
    for (let attempt = 0; attempt < 9; attempt++) expect(await throttle.begin('carol', 'a')).toBe(0);
  });

  it('refuses the attempts past the limit when they arrive together', async () => {
    const throttle = new LoginThrottle(new MemoryRateCounters(), { maxFailures: 3, windowMs: 60_000 });
    const waits = await Promise.all(Array.from({ length: 8 }, () => throttle.begin('dave', 'b')));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(3);
  });

  it('keeps at most maxKeys keys in memory, dropping the least recently used', async () => {
    const counters = new MemoryRateCounters(3);
    for (const name of ['a', 'b', 'c', 'd']) await counters.add(name, 60_000);
    expect((await counters.count('a', 60_000)).count).toBe(0);
    expect((await counters.count('d', 60_000)).count).toBe(1);
  });
});
