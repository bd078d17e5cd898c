// Images made on the fly with sharp: no binary fixtures in the repo, and each test says what it
// needs (size, format, orientation, metadata).
import sharp from 'sharp';

export type FixtureFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif';

/** A photo-like image (gradients and noise compress like a photograph, unlike a flat colour). */
export async function makeImage(
  width: number,
  height: number,
  format: FixtureFormat = 'jpeg',
  options: { orientation?: number; exif?: Record<string, Record<string, string>> } = {},
): Promise<Buffer> {
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .blur(1.5)
    .raw()
    .toBuffer();
  const gradient = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      gradient[offset] = Math.round((x / width) * 255);
      gradient[offset + 1] = Math.round((y / height) * 255);
      gradient[offset + 2] = 160;
    }
  }
  const pixels = Buffer.alloc(gradient.length);
  for (let index = 0; index < pixels.length; index++) pixels[index] = (gradient[index]! * 3 + noise[index]!) >> 2;
  let image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (options.orientation || options.exif) {
    image = image.withMetadata({ orientation: options.orientation, exif: options.exif });
  }
  return image.toFormat(format, format === 'avif' ? { effort: 0 } : {}).toBuffer();
}

/** A screenshot-like graphic: flat colours, 1 px borders and rows of glyph-sized marks. */
export async function makeGraphic(width: number, height: number): Promise<Buffer> {
  const marks: string[] = [];
  for (let line = 0; line < 14; line++) {
    for (let x = 40; x < width - 60; x += 9 + ((x * 7 + line * 13) % 5)) {
      const tall = (x + line) % 3 === 0 ? 10 : 7;
      marks.push(`<rect x="${x}" y="${120 + line * 18 + (10 - tall)}" width="${5 + ((x + line) % 3)}" height="${tall}" fill="#1a1a1a"/>`);
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <rect width="100%" height="100%" fill="#ffffff"/>
    <rect x="0" y="0" width="${width}" height="56" fill="#2b5797"/>
    <rect x="20" y="80" width="${width - 40}" height="${height - 100}" fill="none" stroke="#c0c0c0" stroke-width="1" shape-rendering="crispEdges"/>
    <rect x="${width - 140}" y="12" width="110" height="32" fill="#e8a33d" shape-rendering="crispEdges"/>
    ${marks.join('')}
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * The screenshot-like graphic with a banner whose colour runs from top to bottom over its lower
 * third: each row of the banner is one colour (its pixels repeat their left neighbour, as a
 * graphic's do), but the banner holds more shades than a small palette can.
 */
export async function makeGraphicWithGradient(width: number, height: number): Promise<Buffer> {
  const bannerHeight = Math.round(height * 0.36);
  const banner = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${bannerHeight}">
    <defs><linearGradient id="fade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1d3b6e"/><stop offset="1" stop-color="#8fb8e8"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#fade)"/>
  </svg>`;
  return sharp(await makeGraphic(width, height))
    .composite([{ input: Buffer.from(banner), top: height - bannerHeight - Math.round(height * 0.02), left: 0 }])
    .png()
    .toBuffer();
}
