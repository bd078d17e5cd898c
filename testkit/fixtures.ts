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
