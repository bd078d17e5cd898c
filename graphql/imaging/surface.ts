// What prepared pixels are made of, for a quality-target search. Two questions, answered from one
// look at every fourth row:
// - Flat: do most pixels repeat their left neighbour exactly? In a photograph sensor noise changes
//   nearly every pixel a little; in a graphic (flat colour, text, screenshots), and in a smooth
//   photograph downsized to 8 bits (skies, out-of-focus backgrounds), most pixels repeat. On flat
//   pixels the encoders' SSIM curves zigzag, so a search also looks below the answer it found
//   (search.ts, smallestBelow).
// - Graphic: is it flat, and where a pixel changes, does it change by a step (an edge, a glyph)
//   rather than by the one or two levels of a gradient? Only there can a palette PNG or lossless
//   WebP beat the lossy formats (which smudge text and 1 px borders), so only there does AUTO weigh
//   them: on flat photographs and rendered wallpapers neither ever won, and trying them took
//   seconds (docs/compression.md, "Graphics").
import type { PixelSource } from './encoders.ts';

/** Share of pixels equal to their left neighbour from which pixels are flat. */
const REPEAT_SHARE = 0.5;
/** A change of at most this many levels in every channel is a gradient's step, not an edge. */
const GRADIENT_STEP = 2;
/**
 * Share of the changes that are gradient steps from which flat pixels are a smooth picture, not a
 * graphic. Measured (docs/compression.md): charts, screenshots and diagrams 0.00–0.35;
 * photographs and rendered wallpapers with flat pixels 0.67–0.97.
 */
const GRADIENT_SHARE = 0.5;
/** Rows looked at: every n-th, enough for the shares and cheap on large images. */
const ROW_STEP = 4;

export interface Surface {
  /** Most pixels repeat their left neighbour: SSIM curves may zigzag. */
  flat: boolean;
  /** Flat, with edges rather than gradients: palette PNG and lossless WebP may win. */
  graphic: boolean;
}

export function surfaceOf(pixels: PixelSource): Surface {
  const { data, width, height, channels } = pixels;
  if (width < 2) return { flat: false, graphic: false };
  let repeats = 0;
  let gradientSteps = 0;
  let looked = 0;
  for (let y = 0; y < height; y += ROW_STEP) {
    const row = y * width * channels;
    for (let x = 1; x < width; x++) {
      const here = row + x * channels;
      const left = here - channels;
      let largest = 0;
      for (let channel = 0; channel < channels; channel++) {
        largest = Math.max(largest, Math.abs(data[here + channel]! - data[left + channel]!));
      }
      if (largest === 0) repeats++;
      else if (largest <= GRADIENT_STEP) gradientSteps++;
      looked++;
    }
  }
  const changes = looked - repeats;
  const flat = repeats / looked >= REPEAT_SHARE;
  return { flat, graphic: flat && (changes === 0 || gradientSteps / changes < GRADIENT_SHARE) };
}
