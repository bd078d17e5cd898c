import { describe, expect, it } from 'vitest';
import { FIT_VIEW, fitScale, maxZoom, oneToOneZoom, panBy, placement, zoomTo } from './zoom.ts';

const stage = { width: 400, height: 300 };

describe('zoom', () => {
  it('fits landscape, portrait and small pictures whole, centred, never enlarged', () => {
    expect(placement(FIT_VIEW, { width: 1600, height: 1000 }, stage)).toEqual({ left: 0, top: 25, width: 400, height: 250 });
    expect(placement(FIT_VIEW, { width: 600, height: 900 }, stage)).toEqual({ left: 100, top: 0, width: 200, height: 300 });
    expect(placement(FIT_VIEW, { width: 100, height: 100 }, stage)).toEqual({ left: 150, top: 100, width: 100, height: 100 });
  });
  it('1:1 is one image pixel per CSS pixel; zoom stops at 8 image pixels per CSS pixel', () => {
    const natural = { width: 1600, height: 1000 };
    expect(fitScale(natural, stage)).toBe(0.25);
    expect(placement(zoomTo(FIT_VIEW, oneToOneZoom(natural, stage), natural, stage), natural, stage).width).toBe(1600);
    expect(maxZoom(natural, stage)).toBe(32);
    expect(zoomTo(FIT_VIEW, 100, natural, stage).zoom).toBe(32);
    expect(zoomTo(FIT_VIEW, 0.1, natural, stage).zoom).toBe(1);
  });
  it('pans to every edge and no further', () => {
    const natural = { width: 1600, height: 1000 };
    const view = zoomTo(FIT_VIEW, 4, natural, stage);
    expect(placement(panBy(view, 1e6, 1e6, natural, stage), natural, stage)).toMatchObject({ left: 0, top: 0 });
    expect(placement(panBy(view, -1e6, -1e6, natural, stage), natural, stage)).toMatchObject({ left: 400 - 1600, top: 300 - 1000 });
  });
  it('keeps the same picture point centred on a stage of another size', () => {
    const natural = { width: 1600, height: 1000 };
    const view = panBy(zoomTo(FIT_VIEW, 4, natural, stage), -300, -200, natural, stage);
    const half = { width: 200, height: 300 };
    const box = placement(view, natural, half);
    expect((half.width / 2 - box.left) / box.width).toBeCloseTo(view.centreX, 5);
  });
});
