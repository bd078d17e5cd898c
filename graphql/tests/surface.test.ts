// Which pixels a quality-target search treats as flat (it then looks below its answer, since SSIM
// zigzags there) and which as a graphic (AUTO then weighs palette PNG and lossless WebP too):
// real photographs, rendered wallpapers and graphics from mate-backgrounds, and images made here.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { surfaceOf } from '../imaging/surface.ts';
import { makeGraphic, makeGraphicWithGradient, makeImage } from '../../testkit/fixtures.ts';

const MATE = '/usr/share/backgrounds/mate';
const mateInstalled = existsSync(`${MATE}/nature/FreshFlower.jpg`);
if (!mateInstalled) console.warn('surface: photographs skipped, mate-backgrounds is missing (apt-get install mate-backgrounds)');

/** The pixels a search sees: the image downsized to `width`, as raw bytes. */
async function surfaceAt(input: string | Buffer, width?: number) {
  const { data, info } = await sharp(input)
    .rotate()
    .resize(width ? { width, withoutEnlargement: true } : undefined)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return surfaceOf({ data, width: info.width, height: info.height, channels: info.channels as 3 | 4 });
}

/** A sky-like gradient: 40 levels across the width, so each level repeats over about 40 pixels. */
async function smoothGradient(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      pixels[offset] = 90 + Math.floor((x / width) * 40);
      pixels[offset + 1] = 140 + Math.floor((x / width) * 40);
      pixels[offset + 2] = 220;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

describe('images made here', () => {
  it.each([400, 800, 1600])('a screenshot-like graphic at %i px is a graphic', async (width) => {
    expect(await surfaceAt(await makeGraphic(1600, 1000), width)).toEqual({ flat: true, graphic: true });
  });

  it('a screen with a gradient banner is still a graphic: its rows repeat, its marks are edges', async () => {
    expect(await surfaceAt(await makeGraphicWithGradient(1600, 1000))).toEqual({ flat: true, graphic: true });
  });

  it('a smooth gradient repeats its pixels but changes in steps of one level: flat, not a graphic', async () => {
    expect(await surfaceAt(await smoothGradient(1600, 1000))).toEqual({ flat: true, graphic: false });
  });

  it('a noisy photo-like image is neither', async () => {
    expect(await surfaceAt(await makeImage(1600, 1000))).toEqual({ flat: false, graphic: false });
  });
});

describe.skipIf(!mateInstalled)('mate-backgrounds', () => {
  it.each([
    // A blurred background and a still sea repeat their pixels once downsized, or at full size.
    { file: 'nature/FreshFlower.jpg', width: 1600 },
    { file: 'nature/Aqua.jpg', width: undefined },
    // Rendered wallpapers: smooth gradients, no edges.
    { file: 'desktop/Float-into-MATE.png', width: undefined },
    { file: 'desktop/GreenTraditional.jpg', width: 1600 },
    { file: 'desktop/Stripes.png', width: 1600 },
    { file: 'desktop/Ubuntu-Mate-Dark-no-logo.png', width: 1600 },
    { file: 'abstract/Silk.png', width: 1600 },
  ])('$file, $width px wide (or full size): flat, not a graphic', async ({ file, width }) => {
    expect(await surfaceAt(`${MATE}/${file}`, width)).toEqual({ flat: true, graphic: false });
  });

  it.each(['LadyBird', 'Elephants', 'Dune', 'Storm'])('%s at 1600 px: neither', async (name) => {
    const file = name === 'Elephants' ? `${MATE}/abstract/Elephants.jpg` : `${MATE}/nature/${name}.jpg`;
    expect(await surfaceAt(file, 1600)).toEqual({ flat: false, graphic: false });
  });

  it.each([800, 1600])('Flow, flat colour with hard edges, at %i px: a graphic', async (width) => {
    expect(await surfaceAt(`${MATE}/abstract/Flow.png`, width)).toEqual({ flat: true, graphic: true });
  });
});
