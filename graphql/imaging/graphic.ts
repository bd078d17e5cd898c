// Whether prepared pixels look like a graphic (flat colour, text, screenshots) rather than a
// photograph: in a graphic most pixels repeat their left neighbour exactly, in a photograph almost
// none do (sensor noise and smooth gradients change every pixel a little). Graphics are where a
// palette PNG or lossless WebP can beat lossy formats that smudge text and 1 px borders.
import type { PixelSource } from './encoders.ts';

/** Share of pixels equal to their left neighbour above which an image counts as a graphic. */
const REPEAT_SHARE = 0.5;
/** Rows looked at: every n-th, enough for the share and cheap on large images. */
const ROW_STEP = 4;

export function looksLikeGraphic(pixels: PixelSource): boolean {
  const { data, width, height, channels } = pixels;
  if (width < 2) return false;
  let repeats = 0;
  let looked = 0;
  for (let y = 0; y < height; y += ROW_STEP) {
    const row = y * width * channels;
    for (let x = 1; x < width; x++) {
      const here = row + x * channels;
      const left = here - channels;
      let same = true;
      for (let channel = 0; channel < channels; channel++) {
        if (data[here + channel] !== data[left + channel]) {
          same = false;
          break;
        }
      }
      if (same) repeats++;
      looked++;
    }
  }
  return repeats / looked >= REPEAT_SHARE;
}
