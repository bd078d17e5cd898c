// Structural similarity exactly as the ssim.js package computes it with `{ downsample: false }`
// and its other defaults (its "weber" algorithm): integer luma, 11×11 box windows over every
// position where one fits, k1 0.01, k2 0.03, variances and covariances truncated to 1/1024.
// ssim.js builds five whole-image integral arrays through closures and costs far more per call;
// this keeps running column sums over an 11-row band instead (memory O(width)). The test
// graphql/tests/compression-ssim.test.ts holds the two to within 1e-9 of each other.

export const SSIM_WINDOW = 11;
const L = 255;
const C1 = (0.01 * L) ** 2;
const C2 = (0.03 * L) ** 2;
const WINDOW_AREA = SSIM_WINDOW * SSIM_WINDOW;
/** sum / 121 for every sum a window of 8-bit values can have: the same floats, without a division. */
const MEANS = Float64Array.from({ length: 255 * WINDOW_AREA + 1 }, (_, sum) => sum / WINDOW_AREA);

export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); alpha is ignored, as ssim.js does. */
  channels: number;
}

/** A plane of luma values, one byte per pixel. */
export interface LumaPlane {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * ssim.js's luma weights as a sharp recomb row. They are multiples of 1/256, so libvips computes
 * them exactly in float; adding 0.5 before the (truncating) cast to 8 bits rounds as ssim.js does:
 * sharp(...).recomb(LUMA_MATRIX).linear(1, 0.5).extractChannel(0) equals luma() bit for bit.
 */
const LUMA_ROW: [number, number, number] = [77 / 256, 150 / 256, 29 / 256];
export const LUMA_MATRIX: [typeof LUMA_ROW, typeof LUMA_ROW, typeof LUMA_ROW] = [LUMA_ROW, LUMA_ROW, LUMA_ROW];

/** ssim.js's rgb2grayInteger: BT.601 weights in 8.8 fixed point, rounded. */
export function luma(pixels: RawPixels): Uint8Array {
  const { data, width, height, channels } = pixels;
  const count = width * height;
  const out = new Uint8Array(count);
  if (channels <= 2) {
    for (let index = 0, offset = 0; index < count; index++, offset += channels) out[index] = data[offset]!;
    return out;
  }
  for (let index = 0, offset = 0; index < count; index++, offset += channels) {
    out[index] = (77 * data[offset]! + 150 * data[offset + 1]! + 29 * data[offset + 2]! + 128) >> 8;
  }
  return out;
}

/**
 * The luma plane SSIM compares: a plane as it is, or the luma of RGB pixels (computed by luma(),
 * a few milliseconds a megapixel: cheaper than a libvips pipeline for the same, and done in the
 * SSIM worker, off the event loop).
 */
export function lumaPlaneOf(image: LumaPlane | RawPixels): LumaPlane {
  if (!('channels' in image) || image.channels === 1) return { data: image.data, width: image.width, height: image.height };
  return { data: luma(image), width: image.width, height: image.height };
}

/** Whether an image is large enough to have at least one SSIM window. */
export function canMeasureSsim(width: number, height: number): boolean {
  return width >= SSIM_WINDOW && height >= SSIM_WINDOW;
}

/**
 * What one reference contributes to every window: its luma, each window's sum and its variance
 * (times 1024, truncated, as ssimOfLuma computes it). A search compares many candidates with one
 * reference; with these kept, each comparison after the first sums only the candidate's terms.
 */
export interface ReferenceWindows {
  luma: LumaPlane;
  /** Sum of the window's 121 values, by window (row-major over the window positions); at most 30 855. */
  sums: Uint16Array;
  /** trunc(1024 × the window's variance), by window. */
  scaledVariances: Int32Array;
}

/** The number of window positions of a plane: what ReferenceWindows holds six bytes for. */
export function windowCount(width: number, height: number): number {
  return Math.max(0, width - SSIM_WINDOW + 1) * Math.max(0, height - SSIM_WINDOW + 1);
}

/**
 * Mean SSIM of two luma planes of the same size (at least 11×11). With `record`, the reference's
 * window terms are also kept there, for ssimAgainstWindows to compare further candidates with.
 */
export function ssimOfLuma(referencePlane: LumaPlane, candidatePlane: LumaPlane, record?: ReferenceWindows): number {
  const { width, height } = referencePlane;
  checkPlanes(referencePlane, candidatePlane);
  const reference = referencePlane.data;
  const candidate = candidatePlane.data;
  const outWidth = width - SSIM_WINDOW + 1;
  const outHeight = height - SSIM_WINDOW + 1;
  if (record) checkWindows(record, referencePlane);
  const sums = record?.sums;
  const scaledVariances = record?.scaledVariances;
  // Column sums over the current band of 11 rows: x, y, x², y², xy. Integers: a column of 11
  // squares is at most 715 275, a window of 121 at most 7 868 025, well inside int32.
  const sumX = new Int32Array(width);
  const sumY = new Int32Array(width);
  const sumXX = new Int32Array(width);
  const sumYY = new Int32Array(width);
  const sumXY = new Int32Array(width);
  const addRow = (row: number) => {
    const base = row * width;
    for (let x = 0; x < width; x++) {
      const a = reference[base + x]!;
      const b = candidate[base + x]!;
      sumX[x]! += a;
      sumY[x]! += b;
      sumXX[x]! += a * a;
      sumYY[x]! += b * b;
      sumXY[x]! += a * b;
    }
  };
  /** Moves the band down a row: adds row `added`, takes away row `removed`, in one pass. */
  const slideRow = (added: number, removed: number) => {
    const addBase = added * width;
    const removeBase = removed * width;
    for (let x = 0; x < width; x++) {
      const a = reference[addBase + x]!;
      const b = candidate[addBase + x]!;
      const c = reference[removeBase + x]!;
      const d = candidate[removeBase + x]!;
      sumX[x]! += a - c;
      sumY[x]! += b - d;
      sumXX[x]! += a * a - c * c;
      sumYY[x]! += b * b - d * d;
      sumXY[x]! += a * b - c * d;
    }
  };
  for (let row = 0; row < SSIM_WINDOW; row++) addRow(row);

  let total = 0;
  for (let top = 0; top < outHeight; top++) {
    if (top > 0) slideRow(top + SSIM_WINDOW - 1, top - 1);
    let wx = 0;
    let wy = 0;
    let wxx = 0;
    let wyy = 0;
    let wxy = 0;
    for (let x = 0; x < SSIM_WINDOW - 1; x++) {
      wx += sumX[x]!;
      wy += sumY[x]!;
      wxx += sumXX[x]!;
      wyy += sumYY[x]!;
      wxy += sumXY[x]!;
    }
    for (let left = 0; left < outWidth; left++) {
      const right = left + SSIM_WINDOW - 1;
      wx += sumX[right]!;
      wy += sumY[right]!;
      wxx += sumXX[right]!;
      wyy += sumYY[right]!;
      wxy += sumXY[right]!;
      const meanX = MEANS[wx]!;
      const meanY = MEANS[wy]!;
      // ssim.js stores these in Int32Arrays scaled by 1024, which truncates them.
      const scaledVarX = Math.trunc(1024 * (wxx / WINDOW_AREA - meanX * meanX));
      const varY = Math.trunc(1024 * (wyy / WINDOW_AREA - meanY * meanY)) / 1024;
      const cov = Math.trunc(1024 * (wxy / WINDOW_AREA - meanX * meanY)) / 1024;
      total += windowSsim(meanX, meanY, scaledVarX / 1024, varY, cov);
      if (sums && scaledVariances) {
        const window = top * outWidth + left;
        sums[window] = wx;
        scaledVariances[window] = scaledVarX;
      }
      wx -= sumX[left]!;
      wy -= sumY[left]!;
      wxx -= sumXX[left]!;
      wyy -= sumYY[left]!;
      wxy -= sumXY[left]!;
    }
  }
  return total / (outWidth * outHeight);
}

/**
 * The same number as ssimOfLuma(reference, candidate), bit for bit, from the reference's window
 * terms recorded by an earlier ssimOfLuma: three running sums per column instead of five, and one
 * variance per window instead of two.
 */
export function ssimAgainstWindows(windows: ReferenceWindows, candidatePlane: LumaPlane): number {
  const { width, height } = windows.luma;
  checkPlanes(windows.luma, candidatePlane);
  const reference = windows.luma.data;
  const candidate = candidatePlane.data;
  const { sums, scaledVariances } = windows;
  const outWidth = width - SSIM_WINDOW + 1;
  const outHeight = height - SSIM_WINDOW + 1;
  checkWindows(windows, windows.luma);
  const sumY = new Int32Array(width);
  const sumYY = new Int32Array(width);
  const sumXY = new Int32Array(width);
  const addRow = (row: number) => {
    const base = row * width;
    for (let x = 0; x < width; x++) {
      const a = reference[base + x]!;
      const b = candidate[base + x]!;
      sumY[x]! += b;
      sumYY[x]! += b * b;
      sumXY[x]! += a * b;
    }
  };
  const slideRow = (added: number, removed: number) => {
    const addBase = added * width;
    const removeBase = removed * width;
    for (let x = 0; x < width; x++) {
      const a = reference[addBase + x]!;
      const b = candidate[addBase + x]!;
      const c = reference[removeBase + x]!;
      const d = candidate[removeBase + x]!;
      sumY[x]! += b - d;
      sumYY[x]! += b * b - d * d;
      sumXY[x]! += a * b - c * d;
    }
  };
  for (let row = 0; row < SSIM_WINDOW; row++) addRow(row);

  let total = 0;
  for (let top = 0; top < outHeight; top++) {
    if (top > 0) slideRow(top + SSIM_WINDOW - 1, top - 1);
    let wy = 0;
    let wyy = 0;
    let wxy = 0;
    for (let x = 0; x < SSIM_WINDOW - 1; x++) {
      wy += sumY[x]!;
      wyy += sumYY[x]!;
      wxy += sumXY[x]!;
    }
    const rowStart = top * outWidth;
    for (let left = 0; left < outWidth; left++) {
      const right = left + SSIM_WINDOW - 1;
      wy += sumY[right]!;
      wyy += sumYY[right]!;
      wxy += sumXY[right]!;
      const meanX = MEANS[sums[rowStart + left]!]!;
      const meanY = MEANS[wy]!;
      const varY = Math.trunc(1024 * (wyy / WINDOW_AREA - meanY * meanY)) / 1024;
      const cov = Math.trunc(1024 * (wxy / WINDOW_AREA - meanX * meanY)) / 1024;
      total += windowSsim(meanX, meanY, scaledVariances[rowStart + left]! / 1024, varY, cov);
      wy -= sumY[left]!;
      wyy -= sumYY[left]!;
      wxy -= sumXY[left]!;
    }
  }
  return total / (outWidth * outHeight);
}

/** Room for a reference's window terms (six bytes a window). */
export function newReferenceWindows(luma: LumaPlane): ReferenceWindows {
  const count = windowCount(luma.width, luma.height);
  return { luma, sums: new Uint16Array(count), scaledVariances: new Int32Array(count) };
}

/**
 * One window's SSIM. ssim.js divides by the two denominators in turn; dividing once by their
 * product differs by an ulp at most. With the means from MEANS, a window costs four divisions
 * (besides the exact ones by 1024) instead of seven (the speed-up is in bench/RESULTS.md).
 */
function windowSsim(meanX: number, meanY: number, varX: number, varY: number, cov: number): number {
  return ((2 * meanX * meanY + C1) * (2 * cov + C2)) / ((meanX * meanX + meanY * meanY + C1) * (varX + varY + C2));
}

function checkWindows(windows: ReferenceWindows, plane: LumaPlane): void {
  const count = windowCount(plane.width, plane.height);
  if (windows.sums.length !== count || windows.scaledVariances.length !== count) throw new Error('The window terms do not fit this plane');
}

function checkPlanes(reference: LumaPlane, candidate: LumaPlane): void {
  const { width, height } = reference;
  if (candidate.width !== width || candidate.height !== height) throw new Error('SSIM needs two images of the same size');
  if (reference.data.length !== width * height || candidate.data.length !== width * height) {
    throw new Error('SSIM needs two luma planes of the given size');
  }
  if (!canMeasureSsim(width, height)) throw new Error(`SSIM needs at least ${SSIM_WINDOW}×${SSIM_WINDOW} pixels`);
}

/** SSIM of two decoded images of the same size, on luma, as ssim.js measures it. */
export function ssimOfPixels(reference: RawPixels, candidate: RawPixels): number {
  if (reference.width !== candidate.width || reference.height !== candidate.height) {
    throw new Error('SSIM needs two images of the same size');
  }
  const { width, height } = reference;
  return ssimOfLuma({ data: luma(reference), width, height }, { data: luma(candidate), width, height });
}
