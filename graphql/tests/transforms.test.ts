// CompressOptions.transform and .fit through the API: every edit and fit mode checked on the
// pixels of the output, in every path (stored, preview, one-shot, the SSIM and byte searches,
// AUTO), the refusals, and the options a stored compression reports.
import sharp from 'sharp';
import { ssim as ssimJs } from 'ssim.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage } from '../../testkit/fixtures.ts';
import { isRefusal } from '../store/ports.ts';
import { compressionCount, startTestServer, storageProblems, type TestServer } from './harness.ts';
import { compressOneShot, compressStored, preview, storeImage, type Result } from './compression-helpers.ts';

const RED = [255, 0, 0];
const GREEN = [0, 255, 0];
const BLUE = [0, 0, 255];
const YELLOW = [255, 255, 0];
/** Pixel limit of this file's server: a box above it is refused. */
const MAX_PIXELS = 2_000_000;
const LOSSLESS = { format: 'PNG', quality: 100 } as const;

let server: TestServer;
let token: string;
/** 400×300: red, green / blue, yellow quadrants. */
let quadrants: Buffer;
let quadrantsId: string;
let photo: Buffer;
let photoId: string;

/** A width × height PNG of four flat quadrants: red, green (top), blue, yellow (bottom). */
async function quadrantImage(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = y < height / 2 ? (x < width / 2 ? RED : GREEN) : x < width / 2 ? BLUE : YELLOW;
      data.set(colour, (y * width + x) * 3);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

interface Decoded {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
}

async function decode(result: Result | Buffer): Promise<Decoded> {
  const bytes = Buffer.isBuffer(result) ? result : Buffer.from(result.base64, 'base64');
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

function pixel(image: Decoded, x: number, y: number): number[] {
  const offset = (y * image.width + x) * image.channels;
  return [...image.data.subarray(offset, offset + image.channels)];
}

function expectColour(image: Decoded, x: number, y: number, colour: number[], tolerance = 8): void {
  const actual = pixel(image, x, y);
  for (const [channel, value] of colour.entries())
    expect(Math.abs(actual[channel]! - value), `pixel (${x}, ${y}) is ${actual}`).toBeLessThanOrEqual(tolerance);
}

/** Mean of the Rec. 709 luma over every pixel. */
function meanLuma(image: Decoded): number {
  let sum = 0;
  for (let offset = 0; offset < image.data.length; offset += image.channels) {
    sum += 0.2126 * image.data[offset]! + 0.7152 * image.data[offset + 1]! + 0.0722 * image.data[offset + 2]!;
  }
  return sum / (image.width * image.height);
}

/** Mean absolute difference between horizontal neighbours in the first channel: edge contrast. */
function edgeContrast(image: Decoded): number {
  let sum = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 1; x < image.width; x++) {
      sum += Math.abs(image.data[(y * image.width + x) * image.channels]! - image.data[(y * image.width + x - 1) * image.channels]!);
    }
  }
  return sum / (image.height * (image.width - 1));
}

/** Standard deviation of the first channel: near 0 on a flat region. */
function spread(image: Decoded): number {
  const values: number[] = [];
  for (let offset = 0; offset < image.data.length; offset += image.channels) values.push(image.data[offset]!);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

/** SSIM (ssim.js, no downsampling) of an output to a reference of the same size, both opaque. */
async function ssimTo(reference: Buffer, output: Buffer): Promise<number> {
  const a = await sharp(reference).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const b = await sharp(output).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([b.info.width, b.info.height]).toEqual([a.info.width, a.info.height]);
  const image = (data: Buffer) => ({ data: new Uint8ClampedArray(data), width: a.info.width, height: a.info.height });
  return ssimJs(image(a.data), image(b.data), { downsample: false }).mssim;
}

beforeAll(async () => {
  server = await startTestServer({ MAX_INPUT_PIXELS: String(MAX_PIXELS) });
  token = await server.signUp();
  quadrants = await quadrantImage(400, 300);
  quadrantsId = await storeImage(server, token, quadrants, 'quadrants.png');
  photo = await makeImage(480, 360, 'jpeg');
  photoId = await storeImage(server, token, photo);
});
afterAll(() => server.close());

describe('geometry: crop, rotate, flip, flop', () => {
  it('crops to the rectangle: its size and its content', async () => {
    const result = await preview(server, token, quadrantsId, {
      ...LOSSLESS,
      transform: { crop: { left: 150, top: 100, width: 100, height: 100 } },
    });
    expect(result.__typename).toBe('CompressedFile');
    const image = await decode(result);
    expect([image.width, image.height, result.width, result.height]).toEqual([100, 100, 100, 100]);
    expectColour(image, 10, 10, RED);
    expectColour(image, 90, 10, GREEN);
    expectColour(image, 10, 90, BLUE);
    expectColour(image, 90, 90, YELLOW);
  });

  it('rotates clockwise by 90, 180 and 270: width and height swap at 90 and 270', async () => {
    const quarter = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { rotate: 90 } }));
    expect([quarter.width, quarter.height]).toEqual([300, 400]);
    // Clockwise: the bottom-left corner comes to the top left.
    expectColour(quarter, 5, 5, BLUE);
    expectColour(quarter, 295, 5, RED);
    expectColour(quarter, 295, 395, GREEN);
    const half = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { rotate: 180 } }));
    expect([half.width, half.height]).toEqual([400, 300]);
    expectColour(half, 5, 5, YELLOW);
    const threeQuarters = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { rotate: 270 } }));
    expect([threeQuarters.width, threeQuarters.height]).toEqual([300, 400]);
    expectColour(threeQuarters, 5, 5, GREEN);
  });

  it('flips top to bottom and flops left to right', async () => {
    const flipped = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { flip: true } }));
    expectColour(flipped, 5, 5, BLUE);
    expectColour(flipped, 395, 295, GREEN);
    const flopped = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { flop: true } }));
    expectColour(flopped, 5, 5, GREEN);
    expectColour(flopped, 395, 295, BLUE);
  });

  it('crops first, then rotates, then mirrors, then resizes', async () => {
    // The red quadrant's right half and the green's left half, 200×100; rotated clockwise it is
    // 100×200 with red on top, flopped the red stays on top; then resized to 25 wide.
    const result = await preview(server, token, quadrantsId, {
      ...LOSSLESS,
      width: 25,
      transform: { crop: { left: 100, top: 0, width: 200, height: 100 }, rotate: 90, flop: true },
    });
    const image = await decode(result);
    expect([image.width, image.height]).toEqual([25, 50]);
    expectColour(image, 12, 10, RED);
    expectColour(image, 12, 40, GREEN);
  });

  it('takes crop coordinates in the image as displayed (after EXIF orientation)', async () => {
    // Stored sideways with orientation 6 (shown turned 90° clockwise): displayed as the quadrants.
    const sideways = await sharp(await sharp(quadrants).rotate(270).toBuffer())
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const id = await storeImage(server, token, sideways, 'sideways.jpg');
    const result = await preview(server, token, id, { ...LOSSLESS, transform: { crop: { left: 200, top: 0, width: 200, height: 150 } } });
    const image = await decode(result);
    expect([image.width, image.height]).toEqual([200, 150]);
    expectColour(image, 100, 75, GREEN, 24);
  });
});

describe('fit modes', () => {
  it('INSIDE (the default) keeps the aspect ratio and never enlarges', async () => {
    const result = await preview(server, token, quadrantsId, { ...LOSSLESS, width: 200, height: 200, transform: { flop: true } });
    expect([result.width, result.height]).toEqual([200, 150]);
    const larger = await preview(server, token, quadrantsId, { ...LOSSLESS, width: 800, height: 800, fit: 'INSIDE' });
    expect([larger.width, larger.height]).toEqual([400, 300]);
  });

  it('COVER fills the box exactly, cropping the overflow around the centre', async () => {
    const image = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, width: 200, height: 200, fit: 'COVER' }));
    expect([image.width, image.height]).toEqual([200, 200]);
    expectColour(image, 5, 5, RED);
    expectColour(image, 195, 5, GREEN);
    expectColour(image, 5, 195, BLUE);
    expectColour(image, 195, 195, YELLOW);
    // It may enlarge: the box is what is asked for.
    const enlarged = await preview(server, token, quadrantsId, { ...LOSSLESS, width: 800, height: 800, fit: 'COVER' });
    expect([enlarged.width, enlarged.height]).toEqual([800, 800]);
  });

  it('CONTAIN pads with the background colour, or with transparency when none is given', async () => {
    const padded = await decode(
      await preview(server, token, quadrantsId, {
        ...LOSSLESS,
        width: 200,
        height: 200,
        fit: 'CONTAIN',
        transform: { background: '#00FFFF' },
      }),
    );
    expect([padded.width, padded.height]).toEqual([200, 200]);
    // 200×150 in the middle, 25 rows of cyan above and below.
    expectColour(padded, 100, 5, [0, 255, 255]);
    expectColour(padded, 100, 195, [0, 255, 255]);
    expectColour(padded, 10, 40, RED);
    expectColour(padded, 190, 160, YELLOW);
    const transparent = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, width: 200, height: 200, fit: 'CONTAIN' }));
    expect(transparent.channels).toBe(4);
    expect(pixel(transparent, 100, 5)[3]).toBe(0);
    expect(pixel(transparent, 10, 40)).toEqual([255, 0, 0, 255]);
    // JPEG has no alpha: the background is the matte, white without one.
    const jpeg = await decode(
      await preview(server, token, quadrantsId, { width: 200, height: 200, fit: 'CONTAIN', format: 'JPEG', quality: 95 }),
    );
    expectColour(jpeg, 100, 5, [255, 255, 255]);
    const matte = await decode(
      await preview(server, token, quadrantsId, {
        width: 200,
        height: 200,
        fit: 'CONTAIN',
        format: 'JPEG',
        quality: 95,
        transform: { background: '#102030' },
      }),
    );
    expectColour(matte, 100, 5, [16, 32, 48]);
  });

  it('uses the background as the matte for transparent pixels in JPEG, and measures SSIM on that matte', async () => {
    // A transparent frame around an opaque red square.
    const square = await sharp({ create: { width: 60, height: 60, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
      .png()
      .toBuffer();
    const framed = await sharp({ create: { width: 100, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: square, left: 20, top: 20 }])
      .png()
      .toBuffer();
    const id = await storeImage(server, token, framed, 'framed.png');
    const result = await preview(server, token, id, { format: 'JPEG', quality: 95, transform: { background: '#000080' } });
    const image = await decode(result);
    expectColour(image, 5, 5, [0, 0, 128], 12);
    expectColour(image, 50, 50, RED, 12);
    // Compared on a white matte instead, the navy frame would count as a large loss.
    expect(result.ssim).toBeGreaterThan(0.95);
  });

  it('FILL stretches to the box, ignoring the aspect ratio', async () => {
    const image = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, width: 100, height: 300, fit: 'FILL' }));
    expect([image.width, image.height]).toEqual([100, 300]);
    expectColour(image, 10, 10, RED);
    expectColour(image, 90, 10, GREEN);
    expectColour(image, 10, 290, BLUE);
    expectColour(image, 90, 290, YELLOW);
  });

  it('COVER with focus ATTENTION or ENTROPY keeps the detailed, colourful region; CENTER the middle', async () => {
    // 600×200: flat grey except a noisy, saturated square on the right.
    const grey = await sharp({ create: { width: 600, height: 200, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const busy = await sharp({
      create: { width: 200, height: 200, channels: 3, background: '#e04020', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .modulate({ saturation: 2 })
      .png()
      .toBuffer();
    const scene = await sharp(grey)
      .composite([{ input: busy, left: 400, top: 0 }])
      .png()
      .toBuffer();
    const id = await storeImage(server, token, scene, 'scene.png');
    const box = { ...LOSSLESS, width: 200, height: 200, fit: 'COVER' };
    const centre = await decode(await preview(server, token, id, box));
    expect(spread(centre)).toBeLessThan(1);
    for (const focus of ['ATTENTION', 'ENTROPY']) {
      const kept = await decode(await preview(server, token, id, { ...box, transform: { focus } }));
      expect([kept.width, kept.height]).toEqual([200, 200]);
      expect(spread(kept), focus).toBeGreaterThan(20);
    }
  });
});

describe('colour, sharpen and blur', () => {
  it('grayscale gives equal channels everywhere', async () => {
    const image = await decode(await preview(server, token, photoId, { ...LOSSLESS, transform: { grayscale: true } }));
    expect(image.channels).toBe(3);
    let unequal = 0;
    for (let offset = 0; offset < image.data.length; offset += 3) {
      if (image.data[offset] !== image.data[offset + 1] || image.data[offset] !== image.data[offset + 2]) unequal++;
    }
    expect(unequal).toBe(0);
    // And it is still the picture, not a flat grey.
    expect(spread(image)).toBeGreaterThan(10);
  });

  it('brightness raises (and lowers) mean luminance; saturation 0 takes the colour out', async () => {
    const plain = meanLuma(await decode(await preview(server, token, photoId, LOSSLESS)));
    const brighter = meanLuma(await decode(await preview(server, token, photoId, { ...LOSSLESS, transform: { brightness: 1.5 } })));
    const darker = meanLuma(await decode(await preview(server, token, photoId, { ...LOSSLESS, transform: { brightness: 0.6 } })));
    expect(brighter).toBeGreaterThan(plain * 1.2);
    expect(darker).toBeLessThan(plain * 0.8);
    const faded = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { saturation: 0 } }));
    const [r, g, b] = pixel(faded, 10, 10);
    expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThanOrEqual(3);
  });

  it('hue turns the colours around the wheel', async () => {
    const turned = await decode(await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { hue: 180 } }));
    const [r, g, b] = pixel(turned, 10, 10);
    // Red half-way round the wheel is no longer red.
    expect(r!).toBeLessThan(Math.max(g!, b!));
  });

  it('blur lowers edge contrast and sharpen raises it', async () => {
    const plain = edgeContrast(await decode(await preview(server, token, photoId, LOSSLESS)));
    const blurred = edgeContrast(await decode(await preview(server, token, photoId, { ...LOSSLESS, transform: { blur: 3 } })));
    const sharpened = edgeContrast(await decode(await preview(server, token, photoId, { ...LOSSLESS, transform: { sharpen: 2 } })));
    expect(blurred).toBeLessThan(plain * 0.6);
    expect(sharpened).toBeGreaterThan(plain * 1.1);
  });
});

describe('refusals', () => {
  it.each([
    [{ rotate: 45 }, 'options.transform.rotate'],
    [{ brightness: 2.5 }, 'options.transform.brightness'],
    [{ brightness: 0.4 }, 'options.transform.brightness'],
    [{ saturation: -0.1 }, 'options.transform.saturation'],
    [{ hue: 181 }, 'options.transform.hue'],
    [{ sharpen: 0.2 }, 'options.transform.sharpen'],
    [{ blur: 51 }, 'options.transform.blur'],
    [{ background: 'red' }, 'options.transform.background'],
    [{ background: '#12345' }, 'options.transform.background'],
  ])('refuses %j as a ValidationError naming %s', async (transform, field) => {
    const before = await compressionCount(server, quadrantsId);
    const result = await compressStored(server, token, quadrantsId, { ...LOSSLESS, transform });
    expect(result).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    expect(await compressionCount(server, quadrantsId)).toBe(before);
  });

  it.each(['COVER', 'CONTAIN', 'FILL'])('refuses fit %s without both width and height', async (fit) => {
    const result = await preview(server, token, quadrantsId, { ...LOSSLESS, width: 100, fit });
    expect(result).toMatchObject({ __typename: 'ValidationError', field: 'options.fit' });
  });

  it('refuses a box with more pixels than the input limit', async () => {
    const result = await preview(server, token, quadrantsId, { ...LOSSLESS, width: 2000, height: 1001, fit: 'FILL' });
    expect(result).toMatchObject({ __typename: 'ValidationError', field: 'options.width' });
  });

  it.each([
    ['reaching past the right edge', { left: 301, top: 0, width: 100, height: 100 }],
    ['reaching past the bottom', { left: 0, top: 250, width: 100, height: 51 }],
    ['starting left of the image', { left: -1, top: 0, width: 10, height: 10 }],
    ['empty', { left: 0, top: 0, width: 0, height: 10 }],
  ])('answers InvalidTransformError for a crop %s, and stores nothing', async (_what, crop) => {
    const before = await compressionCount(server, quadrantsId);
    const stored = await compressStored(server, token, quadrantsId, { ...LOSSLESS, transform: { crop } });
    expect(stored).toMatchObject({ __typename: 'InvalidTransformError', code: 'INVALID_TRANSFORM', field: 'options.transform.crop' });
    const previewed = await preview(server, token, quadrantsId, { ...LOSSLESS, transform: { crop } });
    expect(previewed).toMatchObject({ __typename: 'InvalidTransformError', field: 'options.transform.crop' });
    const oneShot = await compressOneShot(server, token, quadrants, { ...LOSSLESS, transform: { crop } }, 'quadrants.png');
    expect(oneShot).toMatchObject({ __typename: 'InvalidTransformError', field: 'options.transform.crop' });
    expect(await compressionCount(server, quadrantsId)).toBe(before);
    expect(await storageProblems(server)).toEqual({ orphans: [], missing: [], scratch: [] });
  });
});

describe('every path', () => {
  const transform = { crop: { left: 40, top: 30, width: 400, height: 300 }, rotate: 90 };
  /** The transform above done by hand on the photo: what outputs are compared with. */
  const reference = () => sharp(photo).extract({ left: 40, top: 30, width: 400, height: 300 }).rotate(90).png().toBuffer();

  it('one-shot compressUpload applies the transform', async () => {
    const result = await compressOneShot(
      server,
      token,
      quadrants,
      { ...LOSSLESS, transform: { crop: { left: 200, top: 150, width: 100, height: 50 }, flip: true } },
      'q.png',
    );
    const image = await decode(result);
    expect([image.width, image.height]).toEqual([100, 50]);
    expectColour(image, 50, 25, YELLOW);
  });

  it('stored compressions apply it, and their SSIM is measured against the transformed original', async () => {
    const result = await compressStored(server, token, photoId, { format: 'JPEG', quality: 85, transform });
    expect(result.__typename).toBe('Compression');
    expect([result.width, result.height]).toEqual([300, 400]);
    const output = Buffer.from(result.base64, 'base64');
    expect(result.ssim).toBeGreaterThan(0.9);
    expect(result.ssim).toBeCloseTo(await ssimTo(await reference(), output), 2);
  });

  it('targetSsim searches against the transformed reference and reaches the target there', async () => {
    const result = await compressStored(server, token, photoId, { format: 'WEBP', targetSsim: 0.97, transform });
    expect(result.__typename).toBe('Compression');
    expect([result.width, result.height]).toEqual([300, 400]);
    expect(result.ssim).toBeGreaterThanOrEqual(0.97);
    const independent = await ssimTo(await reference(), Buffer.from(result.base64, 'base64'));
    expect(independent).toBeGreaterThanOrEqual(0.965);
  });

  it('AUTO picks a format for the transformed image', async () => {
    const result = await preview(server, token, photoId, { format: 'AUTO', width: 150, transform });
    expect(result.__typename).toBe('CompressedFile');
    expect([result.width, result.height]).toEqual([150, 200]);
    expect(result.ssim).toBeGreaterThanOrEqual(0.98);
    const resizedReference = await sharp(await reference())
      .resize(150, 200, { fit: 'fill' })
      .png()
      .toBuffer();
    expect(await ssimTo(resizedReference, Buffer.from(result.base64, 'base64'))).toBeGreaterThan(0.97);
  });

  it('maxBytes stays in budget with a transform and COVER', async () => {
    const result = await compressOneShot(server, token, photo, {
      format: 'JPEG',
      maxBytes: 4096,
      width: 120,
      height: 120,
      fit: 'COVER',
      transform: { grayscale: true },
    });
    expect(result.__typename).toBe('CompressedFile');
    expect(result.bytes).toBeLessThanOrEqual(4096);
    const image = await decode(result);
    expect([image.width, image.height]).toEqual([120, 120]);
  });
});

describe('recorded options', () => {
  const OPTIONS_QUERY = `query($id: ID!) { compression(id: $id) { id width height options {
    width height fit format quality targetSsim maxBytes effort
    transform { crop { left top width height } rotate flip flop brightness saturation hue grayscale sharpen blur focus background }
  } } }`;

  it('records every option a compression was made with and reads them back', async () => {
    const made = await compressStored(server, token, quadrantsId, {
      width: 120,
      height: 90,
      fit: 'COVER',
      format: 'WEBP',
      targetSsim: 0.95,
      effort: 'FAST',
      transform: {
        crop: { left: 10, top: 20, width: 300, height: 200 },
        rotate: 270,
        flop: true,
        brightness: 1.1,
        saturation: 0.9,
        hue: 15,
        sharpen: 0.5,
        focus: 'ENTROPY',
        background: '#AABBCC',
      },
    });
    expect(made.__typename).toBe('Compression');
    const response = await server.gql(OPTIONS_QUERY, { id: made.id }, token);
    expect(response.data?.compression).toEqual({
      id: made.id,
      width: 120,
      height: 90,
      options: {
        width: 120,
        height: 90,
        fit: 'COVER',
        format: 'WEBP',
        quality: null,
        targetSsim: 0.95,
        maxBytes: null,
        effort: 'FAST',
        transform: {
          crop: { left: 10, top: 20, width: 300, height: 200 },
          rotate: 270,
          flip: false,
          flop: true,
          brightness: 1.1,
          saturation: 0.9,
          hue: 15,
          grayscale: false,
          sharpen: 0.5,
          blur: null,
          focus: 'ENTROPY',
          background: '#aabbcc',
        },
      },
    });
  });

  it('answers null for a compression stored before options were recorded', async () => {
    const made = await compressStored(server, token, photoId, { width: 90 });
    const me = await server.gql<{ me: { id: string } }>('{ me { id } }', {}, token);
    const userId = me.data!.me.id;
    const { records, blobs, config } = server.app.services;
    // The same compression written as an older Pixpress wrote it: a record without options.
    const { options: _dropped, ...older } = (await records.getCompression(userId, made.id))!;
    const id = crypto.randomUUID();
    const record = { ...older, id, file: older.file.replace(made.id, id) };
    await blobs.put(record.file, await blobs.read(older.file), record.mimeType);
    const reservation = await records.reserveCompression(userId, photoId, config);
    if (isRefusal(reservation)) throw new Error('no compression slot');
    expect(await reservation.commit(record)).toBe(true);
    const response = await server.gql(OPTIONS_QUERY, { id }, token);
    expect(response.data?.compression).toEqual({ id, width: 90, height: older.height, options: null });
  });

  it('fills in the defaults of a plain compression: the original format, quality 80, INSIDE, no transform', async () => {
    const made = await compressStored(server, token, photoId, { width: 100 });
    const response = await server.gql(OPTIONS_QUERY, { id: made.id }, token);
    expect(response.data?.compression.options).toEqual({
      width: 100,
      height: null,
      fit: 'INSIDE',
      format: 'JPEG',
      quality: 80,
      targetSsim: null,
      maxBytes: null,
      effort: 'BALANCED',
      transform: null,
    });
  });
});
