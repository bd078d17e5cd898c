import { describe, expect, it, vi } from 'vitest';
import {
  distinctNames,
  downloadName,
  editedSize,
  initialCompressState,
  initialEdits,
  lockedSide,
  stateFromPreset,
  toCompressOptions,
  type CompressFormState,
  type EditState,
} from './compress-options.ts';
import { summarizeSettings } from './compression-settings.ts';
import { debounce } from './debounce.ts';

const photo = { width: 4000, height: 3000 };
const state = (change: Partial<CompressFormState>): CompressFormState => ({ ...initialCompressState(photo), ...change });

describe('compression options', () => {
  it('suggests web size for big photos and the original size for small ones', () => {
    expect(initialCompressState(photo)).toMatchObject({
      width: '1600',
      height: '1200',
      lockAspect: true,
      format: 'WEBP',
      mode: 'quality',
      quality: 80,
    });
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
    expect(toCompressOptions(state({ width: '4000', height: '3000', mode: 'ssim', targetSsim: 0.99 }), photo)).toEqual({
      ok: true,
      options: { format: 'WEBP', targetSsim: 0.99 },
    });
    expect(toCompressOptions(state({ width: '', height: '', mode: 'size', maxKilobytes: '150' }), photo)).toEqual({
      ok: true,
      options: { format: 'WEBP', maxBytes: 153_600 },
    });
  });

  it('says which field is wrong before anything is sent', () => {
    expect(toCompressOptions(state({ width: '12.5' }), photo)).toMatchObject({ ok: false, field: 'width' });
    expect(toCompressOptions(state({ height: '20000' }), photo)).toMatchObject({ ok: false, field: 'height' });
    expect(toCompressOptions(state({ mode: 'size', maxKilobytes: '0.5' }), photo)).toMatchObject({ ok: false, field: 'maxBytes' });
    expect(toCompressOptions(state({ format: 'AUTO', mode: 'quality' }), photo)).toMatchObject({ ok: false, field: 'quality' });
    expect(toCompressOptions(state({ format: 'AUTO', mode: 'ssim' }), photo)).toMatchObject({
      ok: true,
      options: { format: 'AUTO', targetSsim: 0.98 },
    });
  });

  it('names downloads after the image with the output format', () => {
    expect(downloadName('beach.png', 'JPEG')).toBe('beach.jpg');
    expect(downloadName('Sahara dunes', 'WEBP')).toBe('Sahara dunes.webp');
    expect(downloadName('.png', 'AVIF')).toBe('image.avif');
  });

  it('keeps download names apart when two compressions share one', () => {
    expect(distinctNames(['a-600w-q70.webp', 'a-300w-q80.jpg', 'a-600w-q70.webp', 'a-600w-q70.webp'])).toEqual([
      'a-600w-q70.webp',
      'a-300w-q80.jpg',
      'a-600w-q70 (2).webp',
      'a-600w-q70 (3).webp',
    ]);
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
    expect(stateFromPreset({ width: 600, format: 'WEBP', quality: 60 }, original, current)).toMatchObject({
      width: '600',
      height: '400',
      lockAspect: true,
      format: 'WEBP',
      mode: 'quality',
      quality: 60,
    });
    expect(stateFromPreset({ width: 1600 }, original, current)).toMatchObject({ width: '1200', height: '800' });
    expect(stateFromPreset({ height: 400 }, original, current)).toMatchObject({ width: '600', height: '400' });
  });

  it('takes a box without the lock, and the goal of the preset', () => {
    expect(stateFromPreset({ width: 400, height: 400, format: 'AVIF', targetSsim: 0.95 }, original, current)).toMatchObject({
      width: '400',
      height: '400',
      lockAspect: false,
      format: 'AVIF',
      mode: 'ssim',
      targetSsim: 0.95,
    });
    expect(stateFromPreset({ maxBytes: 204_800 }, original, current)).toMatchObject({
      mode: 'size',
      maxKilobytes: '200',
      format: current.format,
    });
    expect(stateFromPreset({ format: 'AUTO' }, original, current)).toMatchObject({ mode: 'ssim', targetSsim: 0.98 });
  });

  it('takes the fit, effort and edits, keeps the crop, and sends them all back', () => {
    const transform = {
      rotate: 90,
      flip: false,
      flop: true,
      brightness: 1,
      saturation: 1.5,
      hue: 0,
      grayscale: false,
      sharpen: null,
      blur: 2,
      focus: 'ATTENTION' as const,
      background: null,
    };
    const crop = { left: 0, top: 0, width: 300, height: 200 };
    const cropped = { ...current, edits: { ...initialEdits(), crop, grayscale: true } };
    const applied = stateFromPreset(
      { width: 1600, height: 1600, format: 'AVIF', quality: 50, effort: 'SMALLEST', fit: 'COVER', transform },
      original,
      cropped,
    );
    // COVER makes exactly the preset's box, even above the original's size.
    expect(applied).toMatchObject({
      width: '1600',
      height: '1600',
      fit: 'COVER',
      effort: 'SMALLEST',
      edits: { ...initialEdits(), crop, rotate: 90, flop: true, saturation: 1.5, blur: 2, focus: 'ATTENTION' },
    });
    expect(toCompressOptions(applied, original)).toEqual({
      ok: true,
      options: {
        format: 'AVIF',
        width: 1600,
        height: 1600,
        fit: 'COVER',
        quality: 50,
        effort: 'SMALLEST',
        transform: { crop, rotate: 90, flop: true, saturation: 1.5, blur: 2, focus: 'ATTENTION' },
      },
    });
    // A preset without edits or fit resets them; INSIDE caps at the edited picture (the crop).
    expect(stateFromPreset({ width: 1000 }, original, applied)).toMatchObject({
      width: '300',
      height: '200',
      fit: 'INSIDE',
      effort: null,
      edits: { ...initialEdits(), crop },
    });
  });
});

describe('edits', () => {
  const edited = (edits: Partial<EditState>, change: Partial<CompressFormState> = {}) =>
    state({ ...change, edits: { ...initialEdits(), ...edits } });

  it('sends only the edits that change the picture', () => {
    expect(toCompressOptions(state({}), photo)).toEqual({ ok: true, options: { format: 'WEBP', width: 1600, height: 1200, quality: 80 } });
    const check = toCompressOptions(
      edited({ crop: { left: 10, top: 20, width: 800, height: 600 }, rotate: 90, flop: true, brightness: 1.2, sharpen: 0.2, blur: 2 }),
      photo,
    );
    expect(check).toMatchObject({
      ok: true,
      options: { transform: { crop: { left: 10, top: 20, width: 800, height: 600 }, rotate: 90, flop: true, brightness: 1.2, blur: 2 } },
    });
    // sharpen below the API's 0.3 is "off".
    expect(check.ok && check.options.transform && 'sharpen' in check.options.transform).toBe(false);
  });

  it('measures the size to shrink to after the crop and rotation', () => {
    expect(editedSize({ ...initialEdits(), crop: { left: 0, top: 0, width: 800, height: 600 }, rotate: 270 }, photo)).toEqual({
      width: 600,
      height: 800,
    });
    // 1600 is smaller than the 4000 px original but not than the 800 px crop: nothing to shrink.
    expect(toCompressOptions(edited({ crop: { left: 0, top: 0, width: 800, height: 600 } }), photo)).toMatchObject({
      ok: true,
      options: { format: 'WEBP', quality: 80 },
    });
    const cropped = toCompressOptions(edited({ crop: { left: 0, top: 0, width: 800, height: 600 } }), photo);
    expect(cropped.ok && cropped.options.width).toBeUndefined();
  });

  it('sends both sides and the fit for COVER, CONTAIN and FILL, with focus and background where they matter', () => {
    expect(toCompressOptions(edited({ focus: 'ENTROPY' }, { fit: 'COVER', width: '300', height: '300' }), photo)).toMatchObject({
      ok: true,
      options: { width: 300, height: 300, fit: 'COVER', transform: { focus: 'ENTROPY' } },
    });
    expect(toCompressOptions(edited({ background: '#102030' }, { fit: 'CONTAIN', width: '300', height: '300' }), photo)).toMatchObject({
      ok: true,
      options: { fit: 'CONTAIN', transform: { background: '#102030' } },
    });
    expect(toCompressOptions(edited({}, { fit: 'FILL', width: '300', height: '' }), photo)).toMatchObject({ ok: false, field: 'fit' });
  });

  it('summarises stored options in a few words', () => {
    const base = {
      width: 800,
      height: 600,
      fit: 'COVER' as const,
      format: 'WEBP' as const,
      quality: 80,
      targetSsim: null,
      maxBytes: null,
      effort: 'BALANCED' as const,
    };
    expect(
      summarizeSettings({ ...base, transform: { crop: { left: 0, top: 0, width: 800, height: 600 }, rotate: 90, focus: 'CENTER' } }),
    ).toBe('crop 800×600 · rotate 90 · COVER · box 800×600 · WEBP q80');
    expect(
      summarizeSettings({ ...base, fit: 'INSIDE', width: null, height: null, quality: null, maxBytes: 204_800, transform: null }),
    ).toBe('WEBP ≤ 200 KB');
    expect(summarizeSettings(null)).toBe('—');
  });
});
