// The pixels every encode of a compression starts from: the original decoded once, oriented,
// edited (transform.ts, when asked), resized (lanczos3) and in sRGB, with the reference SSIM is
// measured against; and the one-pipeline path for outputs that need neither search nor SSIM.
import sharp, { type Metadata, type Sharp } from 'sharp';
import { hasEdits, type OutputFormat } from './compress-options.ts';
import type { CompressedImage, CompressRequest } from './compress.ts';
import { encodePixels, encoderFor, mimeTypeOf, PROGRESSIVE_MAX_PIXELS, WHITE, type Matte, type PixelSource } from './encoders.ts';
import { tileSample } from './sample.ts';
import { canMeasureSsim, LUMA_MATRIX, type LumaPlane, type RawPixels } from './ssim.ts';
import { parseHexColour } from './transform-options.ts';
import { transformedPixels } from './transform.ts';

export interface Prepared {
  pixels: PixelSource;
  /**
   * What outputs are compared with: the opaque RGB pixels themselves (the SSIM worker takes their
   * luma), or for pixels with transparency the luma after flattening onto the matte (as JPEG
   * output is); null when too small to measure.
   */
  reference: LumaPlane | RawPixels | null;
  /** What transparent pixels are flattened onto: transform.background, else white. */
  matte: Matte;
}

/** The original decoded, oriented and in sRGB, not resized: where transforms start. */
function oriented(request: CompressRequest, metadata: Metadata): Sharp {
  const { input, limits } = request;
  let image = sharp(input, { limitInputPixels: limits.maxPixels }).autoOrient();
  // sharp converts an embedded profile to sRGB by itself, except for 16-bit images, which it
  // takes to Display P3: convert those explicitly (and attach nothing: no profile means sRGB).
  if (metadata.hasProfile && (metadata.depth === 'ushort' || metadata.depth === 'float')) {
    image = image.withIccProfile('srgb', { attach: false });
  }
  return image.toColourspace('srgb');
}

/** The original decoded, oriented, resized and in sRGB: the start of every output without edits. */
function orientedAndResized(request: CompressRequest, metadata: Metadata): Sharp {
  const { plan } = request;
  const image = oriented(request, metadata);
  if (plan.width === null && plan.height === null) return image;
  return image.resize(plan.width ?? undefined, plan.height ?? undefined, { fit: 'inside', withoutEnlargement: true });
}

export async function encodeInOnePipeline(
  request: CompressRequest,
  metadata: Metadata,
  format: OutputFormat,
  quality: number,
  timeoutSeconds: number,
): Promise<CompressedImage> {
  const channels = metadata.hasAlpha ? 4 : 3;
  if (format === 'JPEG' && request.plan.effort !== 'FAST' && outputPixels(request, metadata) <= PROGRESSIVE_MAX_PIXELS) {
    // JPEG may be encoded twice (baseline and progressive, the smaller kept): from the resized
    // pixels, so the original is decoded once.
    const { data: pixels, info: size } = await orientedAndResized(request, metadata)
      .raw({ depth: 'uchar' })
      .timeout({ seconds: timeoutSeconds })
      .toBuffer({ resolveWithObject: true });
    const source: PixelSource = { data: pixels, width: size.width, height: size.height, channels: size.channels === 4 ? 4 : 3 };
    const data = await encodePixels(source, format, quality, timeoutSeconds, request.plan.effort);
    return {
      format,
      mimeType: mimeTypeOf(format),
      data,
      width: size.width,
      height: size.height,
      quality,
      ssim: null,
      effort: request.plan.effort,
    };
  }
  const { data, info } = await encoderFor(orientedAndResized(request, metadata), channels, format, quality, request.plan.effort)
    .timeout({ seconds: timeoutSeconds })
    .toBuffer({ resolveWithObject: true });
  return {
    format,
    mimeType: mimeTypeOf(format),
    data,
    width: info.width,
    height: info.height,
    quality,
    ssim: null,
    effort: request.plan.effort,
  };
}

/** About how many pixels the output will have (oriented, fitted inside width × height, never enlarged). */
function outputPixels(request: CompressRequest, metadata: Metadata): number {
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  const { plan } = request;
  const scale = Math.min(1, plan.width ? plan.width / width : 1, plan.height ? plan.height / height : 1);
  return width * height * scale * scale;
}

export async function prepare(request: CompressRequest, metadata: Metadata, timeoutSeconds: () => number): Promise<Prepared> {
  const { plan } = request;
  const decoded = hasEdits(plan)
    ? await transformedPixels(oriented(request, metadata), plan, timeoutSeconds)
    : await orientedAndResized(request, metadata)
        .raw({ depth: 'uchar' })
        .timeout({ seconds: timeoutSeconds() })
        .toBuffer({ resolveWithObject: true })
        .then(({ data, info }) => ({ data, width: info.width, height: info.height, channels: info.channels }));
  const { data, width, height } = decoded;
  const matte: Matte = plan.transform?.background ? parseHexColour(plan.transform.background) : WHITE;
  let pixels: PixelSource = { data, width, height, channels: decoded.channels === 4 ? 4 : 3 };
  if (decoded.channels !== 3 && decoded.channels !== 4) throw new Error(`unexpected ${decoded.channels}-channel pixels`);

  if (pixels.channels === 4 && isOpaque(data)) {
    // An alpha channel with nothing transparent in it only costs bytes (and rules out JPEG).
    const rgb = await sharp(data, { raw: { width, height, channels: 4 } })
      .removeAlpha()
      .raw()
      .toBuffer();
    pixels = { data: rgb, width, height, channels: 3 };
  }
  return { pixels, matte, reference: canMeasureSsim(width, height) ? await referenceOf(pixels, timeoutSeconds(), matte) : null };
}

/** The tile mosaic of the prepared pixels (see sample.ts), with its own reference. */
export async function makeProxy(prepared: Prepared, timeoutSeconds: number): Promise<Prepared | null> {
  const pixels = tileSample(prepared.pixels);
  return pixels ? { pixels, matte: prepared.matte, reference: await referenceOf(pixels, timeoutSeconds, prepared.matte) } : null;
}

async function referenceOf(pixels: PixelSource, timeoutSeconds: number, matte: Matte): Promise<LumaPlane | RawPixels> {
  if (pixels.channels === 3) return pixels;
  const { width, height, channels } = pixels;
  return lumaOf(sharp(pixels.data, { raw: { width, height, channels } }).flatten({ background: matte }), timeoutSeconds);
}

/**
 * An encoded output as SSIM compares it with a reference made from pixels with this many
 * channels: decoded RGB for opaque pixels (its luma is taken in the SSIM worker, far cheaper than
 * a libvips luma pipeline), flattened luma for pixels with transparency.
 */
export async function ssimPlaneOf(
  output: Sharp,
  sourceChannels: number,
  timeoutSeconds: number,
  matte: Matte,
): Promise<LumaPlane | RawPixels> {
  if (sourceChannels !== 3) return lumaOf(output.flatten({ background: matte }), timeoutSeconds);
  const { data, info } = await output
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .timeout({ seconds: timeoutSeconds })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/**
 * Luma as ssim.js computes it, by libvips (see LUMA_MATRIX): one byte per pixel instead of three
 * reaches the SSIM worker, and no JS loop runs over the pixels.
 */
async function lumaOf(image: Sharp, timeoutSeconds: number): Promise<LumaPlane> {
  const { data, info } = await image
    .pipelineColourspace('srgb')
    .recomb(LUMA_MATRIX)
    .linear(1, 0.5)
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .timeout({ seconds: timeoutSeconds })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function isOpaque(rgba: Buffer): boolean {
  for (let offset = 3; offset < rgba.length; offset += 4) if (rgba[offset] !== 255) return false;
  return true;
}
