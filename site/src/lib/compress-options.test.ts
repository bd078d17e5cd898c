import { describe, expect, it, vi } from 'vitest';
import { downloadName, initialCompressState, lockedSide, stateFromPreset, toCompressOptions, type CompressFormState } from './compress-options.ts';
import { debounce } from './debounce.ts';

const photo = { width: 4000, height: 3000 };
const state = (change: Partial<CompressFormState>): CompressFormState => ({ ...initialCompressState(photo), ...change });

describe('compression options', () => {
  it('suggests web size for big photos and the original size for small ones', () => {
    expect(initialCompressState(photo)).toMatchObject({ width: '1600', height: '1200', lockAspect: true, format: 'WEBP', mode: 'quality', quality: 80 });
    expect(initialCompressState({ width: 640, height: 480 })).toMatchObject({ width: '640', height: '480' });
  });

  it('keeps the aspect ratio when one side changes', () => {
    expect(lockedSide(800, 4000, 3000)).toBe(600);
    expect(lockedSide(533, 1600, 2400)).toBe(800);
    expect(lockedSide(1, 4000, 3)).toBe(1);
    expect(lockedSide(0, 4000, 3000)).toBe(0);
  });

  it('sends one of quality, targetSsim or maxBytes, and only sizes that shrink', () => {
    expect(toCompressOptions(state({}), photo)).toEqual({ ok: true, options: { format: 'WEBP', width: 1600, height: 1200, quality: 80 } });
    expect(toCompressOptions(state({ width: '4000', height: '3000', mode: 'ssim', targetSsim: 0.99 }), photo)).toEqual({ ok: true, options: { format: 'WEBP', targetSsim: 0.99 } });
    expect(toCompressOptions(state({ width: '', height: '', mode: 'size', maxKilobytes: '150' }), photo)).toEqual({ ok: true, options: { format: 'WEBP', maxBytes: 153_600 } });
  });

  it('says which field is wrong before anything is sent', () => {
    expect(toCompressOptions(state({ width: '12.5' }), photo)).toMatchObject({ ok: false, field: 'width' });
    expect(toCompressOptions(state({ height: '20000' }), photo)).toMatchObject({ ok: false, field: 'height' });
    expect(toCompressOptions(state({ mode: 'size', maxKilobytes: '0.5' }), photo)).toMatchObject({ ok: false, field: 'maxBytes' });
    expect(toCompressOptions(state({ format: 'AUTO', mode: 'quality' }), photo)).toMatchObject({ ok: false, field: 'quality' });
    expect(toCompressOptions(state({ format: 'AUTO', mode: 'ssim' }), photo)).toMatchObject({ ok: true, options: { format: 'AUTO', targetSsim: 0.98 } });
  });

  it('names downloads after the image with the output format', () => {
    expect(downloadName('beach.png', 'JPEG')).toBe('beach.jpg');
    expect(downloadName('Sahara dunes', 'WEBP')).toBe('Sahara dunes.webp');
    expect(downloadName('.png', 'AVIF')).toBe('image.avif');
  });
});

describe('debounce', () => {
  it('runs once after the input goes quiet', () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const debounced = debounce((value: number) => calls.push(value), 300);
    debounced.call(1);
    vi.advanceTimersByTime(200);
    debounced.call(2);
    vi.advanceTimersByTime(299);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([2]);
    debounced.call(3);
    debounced.cancel();
    vi.advanceTimersByTime(1000);
    expect(calls).toEqual([2]);
    vi.useRealTimers();
  });
});

describe('stateFromPreset', () => {
  const original = { width: 1200, height: 800 };
  const current = initialCompressState(original);

  it('takes one side and keeps the aspect ratio, capped at the original (never enlarging)', () => {
    expect(stateFromPreset({ width: 600, format: 'WEBP', quality: 60 }, original, current)).toMatchObject({ width: '600', height: '400', lockAspect: true, format: 'WEBP', mode: 'quality', quality: 60 });
    expect(stateFromPreset({ width: 1600 }, original, current)).toMatchObject({ width: '1200', height: '800' });
    expect(stateFromPreset({ height: 400 }, original, current)).toMatchObject({ width: '600', height: '400' });
  });

  it('takes a box without the lock, and the goal of the preset', () => {
    expect(stateFromPreset({ width: 400, height: 400, format: 'AVIF', targetSsim: 0.95 }, original, current)).toMatchObject({ width: '400', height: '400', lockAspect: false, format: 'AVIF', mode: 'ssim', targetSsim: 0.95 });
    expect(stateFromPreset({ maxBytes: 204_800 }, original, current)).toMatchObject({ mode: 'size', maxKilobytes: '200', format: current.format });
    expect(stateFromPreset({ format: 'AUTO' }, original, current)).toMatchObject({ mode: 'ssim', targetSsim: 0.98 });
  });
});
