// Test pictures made on the fly with sharp (no binary fixtures): a small landscape that looks like
// something in screenshots, with noise so it compresses like a photograph.
import sharp from 'sharp';

export async function makePhoto(
  width: number,
  height: number,
  options: { format?: 'jpeg' | 'png' | 'webp'; hue?: number } = {},
): Promise<Buffer> {
  const hue = options.hue ?? 210;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 400 300" preserveAspectRatio="none">
    <defs>
      <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="hsl(${hue},70%,55%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},80%,85%)"/>
      </linearGradient>
    </defs>
    <rect width="400" height="300" fill="url(#sky)"/>
    <circle cx="300" cy="80" r="34" fill="hsl(45,100%,70%)"/>
    <path d="M0 210 L80 120 L150 190 L230 100 L320 200 L400 150 L400 300 L0 300 Z" fill="hsl(${(hue + 150) % 360},35%,35%)"/>
    <path d="M0 250 Q100 215 200 245 T400 235 L400 300 L0 300 Z" fill="hsl(${(hue + 120) % 360},45%,28%)"/>
  </svg>`;
  const base = await sharp(Buffer.from(svg)).resize(width, height).removeAlpha().raw().toBuffer();
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } },
  })
    .raw()
    .toBuffer();
  const pixels = Buffer.alloc(base.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, base[i]! + ((noise[i]! - 128) >> 2)));
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  const format = options.format ?? 'jpeg';
  return format === 'png'
    ? image.png().toBuffer()
    : format === 'webp'
      ? image.webp({ quality: 92 }).toBuffer()
      : image.jpeg({ quality: 95 }).toBuffer();
}
