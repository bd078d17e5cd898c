// The bad-input corpus for graphql/tests/hardening: generated from a seed, never committed as
// binaries. Each case is either a file to upload through uploadImage or a whole raw HTTP body
// (oversized bodies, malformed multipart). `verdict` says what a correct server does with it:
// 'refuse' (a typed error or a 4xx) or 'either' (the bytes may still be a decodable image, e.g.
// a flipped bit in pixel data or trailing junk after the image: then it is stored like any image,
// and its outputs must still be clean). Nothing may ever get a 5xx, an unmasked error or hang.
//
//   node scripts/bad-corpus.ts [out-dir] [seed]   writes every case plus manifest.json
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { FILE_EXTENSIONS, MIME_TYPES } from '../graphql/shared/formats.ts';

export type CorpusFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif';
export const CORPUS_FORMATS: readonly CorpusFormat[] = ['jpeg', 'png', 'webp', 'avif', 'gif'];

export interface FileCase {
  kind: 'file';
  id: string;
  category: string;
  filename: string;
  mimeType: string;
  data: Buffer;
  verdict: 'refuse' | 'either';
}

export interface RawCase {
  kind: 'raw';
  id: string;
  category: string;
  /** Headers besides the CSRF and auth headers the test adds. */
  headers: Record<string, string>;
  body: Buffer;
  verdict: 'refuse' | 'either';
}

export type CorpusCase = FileCase | RawCase;

export interface CorpusOptions {
  seed: number;
  /** The server's MAX_UPLOAD_BYTES: oversized cases are just above it. */
  maxUploadBytes: number;
  /** The server's MAX_INPUT_PIXELS: pixel floods claim far more. */
  maxInputPixels: number;
}

/** Bytes that must never reach a stored output (thumbnail or compression). */
export const SCRIPT_MARKERS = ['<script', 'javascript:', '<html', '<svg', 'onerror=', 'alert('];

const SCRIPT = '<script>alert(document.domain)</script>';
const HTML_PAGE = `<!doctype html><html><body onload="alert(1)">${SCRIPT}</body></html>`;
// Corpus formats are sharp's names; the API's are upper-case (graphql/shared/formats.ts).
const apiFormat = (format: CorpusFormat) => format.toUpperCase() as Uppercase<CorpusFormat>;
const MIME = Object.fromEntries(CORPUS_FORMATS.map((format) => [format, MIME_TYPES[apiFormat(format)]])) as Record<CorpusFormat, string>;
const EXTENSION = Object.fromEntries(CORPUS_FORMATS.map((format) => [format, FILE_EXTENSIONS[apiFormat(format)]])) as Record<
  CorpusFormat,
  string
>;
const MAGIC: Record<CorpusFormat, Buffer> = {
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  webp: Buffer.from('RIFF\0\0\0\0WEBP', 'latin1'),
  avif: Buffer.from('\0\0\0\x1cftypavif', 'latin1'),
  gif: Buffer.from('GIF89a', 'latin1'),
};

/** mulberry32: small, seedable, good enough to pick offsets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function baseImage(format: CorpusFormat, width = 96, height = 64): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      pixels[offset] = (x * 255) / width;
      pixels[offset + 1] = (y * 255) / height;
      pixels[offset + 2] = ((x ^ y) * 7) & 0xff;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .toFormat(format, format === 'avif' ? { effort: 0 } : {})
    .toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A PNG whose IHDR claims width x height (CRC fixed, so only the size is wrong). */
function pngClaiming(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** A JPEG whose SOF segment claims width x height. */
function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let offset = 2; offset + 9 < out.length; ) {
    if (out[offset] !== 0xff) break;
    const marker = out[offset + 1]!;
    const length = out.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.writeUInt16BE(height, offset + 5);
      out.writeUInt16BE(width, offset + 7);
      return out;
    }
    offset += 2 + length;
  }
  throw new Error('no SOF segment');
}

function gifClaiming(gif: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(gif);
  out.writeUInt16LE(width, 6);
  out.writeUInt16LE(height, 8);
  // The first image descriptor too, so the frame itself claims the size.
  const descriptor = out.indexOf(0x2c, 13);
  if (descriptor > 0) {
    out.writeUInt16LE(width, descriptor + 5);
    out.writeUInt16LE(height, descriptor + 7);
  }
  return out;
}

/** A WebP VP8X header claiming a 16384 x 16384 canvas around a small VP8 frame. */
function webpClaiming(webp: Buffer, width: number, height: number): Buffer {
  const body = webp.subarray(12);
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(width - 1, 12, 3);
  vp8x.writeUIntLE(height - 1, 15, 3);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + vp8x.length + body.length, 4);
  riff.write('WEBP', 8, 'latin1');
  return Buffer.concat([riff, vp8x, body]);
}

/** An AVIF whose 'ispe' (image spatial extent) box claims width x height. */
function avifClaiming(avif: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(avif);
  const at = out.indexOf('ispe', 0, 'latin1');
  if (at < 0) throw new Error('no ispe box');
  out.writeUInt32BE(width, at + 8);
  out.writeUInt32BE(height, at + 12);
  return out;
}

function multipartBody(
  boundary: string,
  parts: Array<{ name: string; value: Buffer | string; filename?: string; type?: string }>,
  close = true,
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.type) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export const UPLOAD_MUTATION = 'mutation($file: Upload!) { uploadImage(file: $file) { __typename ... on Error { code message } } }';

export async function buildBadCorpus(options: CorpusOptions): Promise<CorpusCase[]> {
  const random = seededRandom(options.seed);
  const cases: CorpusCase[] = [];
  const file = (
    category: string,
    format: CorpusFormat | 'other',
    filename: string,
    data: Buffer,
    verdict: FileCase['verdict'],
    mimeType?: string,
  ) =>
    cases.push({
      kind: 'file',
      id: `${category}/${format}/${cases.length}`,
      category,
      filename,
      mimeType: mimeType ?? (format === 'other' ? 'application/octet-stream' : MIME[format]),
      data,
      verdict,
    });

  const bases = new Map<CorpusFormat, Buffer>();
  for (const format of CORPUS_FORMATS) bases.set(format, await baseImage(format));
  const sideForFlood = Math.ceil(Math.sqrt(options.maxInputPixels * 50));

  for (const format of CORPUS_FORMATS) {
    const base = bases.get(format)!;
    const name = `photo.${EXTENSION[format]}`;

    // Truncations: the first bytes only (header fragments), then fractions of the file.
    const cuts = new Set<number>([1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 100]);
    for (let step = 1; step <= 11; step++) cuts.add(Math.floor((base.length * step) / 12));
    cuts.add(base.length - 2);
    for (const cut of [...cuts].filter((cut) => cut > 0 && cut < base.length - 1).sort((a, b) => a - b)) {
      // Cutting only the last bytes can leave a decodable image (a GIF without its trailer).
      file('truncated', format, name, base.subarray(0, cut), cut < base.length * 0.9 ? 'refuse' : 'either');
    }

    // Flipped bits: in the header (where they break structure) and anywhere (may still decode).
    for (let flip = 0; flip < 22; flip++) {
      const out = Buffer.from(base);
      const range = flip < 8 ? Math.min(64, out.length) : out.length;
      const offset = Math.floor(random() * range);
      const bits = flip % 3 === 0 ? 3 : 1;
      for (let bit = 0; bit < bits; bit++) out[(offset + bit * 7) % out.length]! ^= 1 << Math.floor(random() * 8);
      file('bit-flip', format, name, out, 'either');
    }

    // Wrong magic: the first bytes of each other format, or of nothing at all.
    for (const other of CORPUS_FORMATS) {
      if (other === format) continue;
      const magic = MAGIC[other];
      file('wrong-magic', format, name, Buffer.concat([magic, base.subarray(magic.length)]), 'refuse');
    }
    file('wrong-magic', format, name, Buffer.concat([Buffer.alloc(8), base.subarray(8)]), 'refuse');
    file('wrong-magic', format, name, Buffer.concat([Buffer.from('%PDF-1.7\n'), base.subarray(9)]), 'refuse');

    // Polyglots: a whole image followed by markup or a zip; markup followed by an image.
    file('polyglot', format, name, Buffer.concat([base, Buffer.from(HTML_PAGE)]), 'either');
    file('polyglot', format, `${name}.html`, Buffer.concat([base, Buffer.from(SCRIPT)]), 'either');
    file('polyglot', format, name, Buffer.concat([base, Buffer.from('PK\x03\x04\x14\0\0\0\0\0', 'latin1'), Buffer.from(SCRIPT)]), 'either');
    file('polyglot', format, name, Buffer.concat([Buffer.from(HTML_PAGE), base]), 'refuse');
    file(
      'polyglot',
      format,
      'photo.svg',
      Buffer.concat([Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${SCRIPT}</svg>\n`), base]),
      'refuse',
    );

    // Repeated and doubled images, and an image inside an image's bytes.
    file('mangled', format, name, Buffer.concat([base.subarray(0, base.length >> 1), base]), 'either');
    file('mangled', format, name, Buffer.from(base).reverse(), 'refuse');
    file('mangled', format, name, Buffer.concat([base.subarray(0, 32), Buffer.alloc(base.length - 32, 0xff)]), 'refuse');
  }

  // Script hidden in metadata that is part of a valid image: stored, but outputs must be clean.
  const png = bases.get('png')!;
  file(
    'polyglot',
    'png',
    'text-chunk.png',
    Buffer.concat([png.subarray(0, 33), pngChunk('tEXt', Buffer.from(`Comment\0${HTML_PAGE}`)), png.subarray(33)]),
    'either',
  );
  const jpeg = bases.get('jpeg')!;
  const comment = Buffer.from(HTML_PAGE);
  const com = Buffer.alloc(4);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(comment.length + 2, 2);
  file('polyglot', 'jpeg', 'comment.jpg', Buffer.concat([jpeg.subarray(0, 2), com, comment, jpeg.subarray(2)]), 'either');

  // Compression bombs in PNG side chunks: 64 MB of zeros deflated into text and ICC chunks.
  const zeros = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  for (const [type, prefix] of [
    ['zTXt', 'Comment\0\0'],
    ['iCCP', 'icc\0\0'],
    ['iTXt', 'XML:com.adobe.xmp\0\x01\0\0\0'],
  ] as const) {
    file(
      'zlib-bomb',
      'png',
      `${type}.png`,
      Buffer.concat([png.subarray(0, 33), pngChunk(type, Buffer.concat([Buffer.from(prefix, 'latin1'), zeros])), png.subarray(33)]),
      'either',
    );
  }

  // Metadata that must not survive into outputs: EXIF with GPS, on every format that carries it.
  for (const format of ['jpeg', 'png', 'webp'] as const) {
    const withGps = await sharp(bases.get(format)!)
      .withMetadata({
        orientation: 6,
        exif: {
          IFD0: { Copyright: SCRIPT, ImageDescription: HTML_PAGE },
          IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4000/100' },
        },
      })
      .toFormat(format)
      .toBuffer();
    file('exif-gps', format, `gps.${EXTENSION[format]}`, withGps, 'either');
  }

  // Pixel floods: headers claiming far more pixels than allowed (and than memory would hold).
  const side = Math.min(65_535, sideForFlood);
  file('pixel-flood', 'png', 'flood.png', pngClaiming(png, 100_000, 100_000), 'refuse');
  file('pixel-flood', 'png', 'flood.png', pngClaiming(png, side, side), 'refuse');
  file('pixel-flood', 'png', 'flood.png', pngClaiming(png, 2_147_483_647, 1), 'refuse');
  file('pixel-flood', 'png', 'flood.png', pngClaiming(png, 0, 0), 'refuse');
  file('pixel-flood', 'jpeg', 'flood.jpg', jpegClaiming(jpeg, 65_535, 65_535), 'refuse');
  file('pixel-flood', 'jpeg', 'flood.jpg', jpegClaiming(jpeg, side, side), 'refuse');
  file('pixel-flood', 'jpeg', 'flood.jpg', jpegClaiming(jpeg, 0, 0), 'refuse');
  // libnsgif sizes a GIF by its frames, not the screen it claims: this one may decode at 96 x 64.
  file('pixel-flood', 'gif', 'flood.gif', gifClaiming(bases.get('gif')!, 65_535, 65_535), 'either');
  file('pixel-flood', 'webp', 'flood.webp', webpClaiming(bases.get('webp')!, 16_384, 16_384), 'refuse');
  file('pixel-flood', 'avif', 'flood.avif', avifClaiming(bases.get('avif')!, 65_535, 65_535), 'refuse');
  file('pixel-flood', 'avif', 'flood.avif', avifClaiming(bases.get('avif')!, side, side), 'refuse');
  // A real decompression bomb: a flat image well over the limit compresses to a small file.
  const bombSide = Math.ceil(Math.sqrt(options.maxInputPixels * 1.5));
  for (const format of ['png', 'gif', 'webp', 'jpeg'] as const) {
    const bomb = await sharp({
      create: { width: Math.min(bombSide, 16_383), height: Math.min(bombSide, 16_383), channels: 3, background: '#fff' },
    })
      .toFormat(format)
      .toBuffer();
    file('pixel-flood', format, `bomb.${EXTENSION[format]}`, bomb, 'refuse');
  }

  // Things that are not raster images at all.
  const svgs = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">${SCRIPT}<rect width="10" height="10"/></svg>`,
    `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="5" height="5"/></svg>`,
    `<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd" width="10" height="10"/></svg>`,
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><rect width="9" height="9"/></a></svg>`,
    `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>`,
  ];
  for (const [index, svg] of svgs.entries()) {
    file(
      'svg-script',
      'other',
      index % 2 ? 'image.svg' : 'image.png',
      Buffer.from(svg),
      'refuse',
      index % 2 ? 'image/svg+xml' : 'image/png',
    );
  }
  file('zero-bytes', 'other', 'empty.jpg', Buffer.alloc(0), 'refuse', 'image/jpeg');
  file('zero-bytes', 'other', 'nul.png', Buffer.alloc(4096), 'refuse', 'image/png');
  file('text-as-image', 'other', 'notes.jpg', Buffer.from('These are my notes, not a photo.\n'.repeat(20)), 'refuse', 'image/jpeg');
  file('text-as-image', 'other', 'page.jpg', Buffer.from(HTML_PAGE), 'refuse', 'image/jpeg');
  file('text-as-image', 'other', 'data.png', Buffer.from(JSON.stringify({ hello: 'world', script: SCRIPT })), 'refuse', 'image/png');
  file('text-as-image', 'other', 'script.gif', Buffer.from(`GIF89a/*${'\0'.repeat(6)}*/=1;alert(1)//`, 'latin1'), 'refuse', 'image/gif');
  file('text-as-image', 'other', 'doc.webp', Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'), 'refuse', 'image/webp');
  file(
    'text-as-image',
    'other',
    'elf.avif',
    Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(120, 0x41)]),
    'refuse',
    'image/avif',
  );
  file(
    'text-as-image',
    'other',
    'tiff.jpg',
    Buffer.concat([Buffer.from('II*\0\x08\0\0\0', 'latin1'), Buffer.alloc(64)]),
    'refuse',
    'image/jpeg',
  );
  file(
    'text-as-image',
    'other',
    'random.jpg',
    Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256))),
    'refuse',
    'image/jpeg',
  );
  // Formats sharp can read but Pixpress does not accept.
  const tiff = await sharp(png).tiff().toBuffer();
  file('unsupported-format', 'other', 'photo.tif', tiff, 'refuse', 'image/tiff');
  const heif = await sharp(png)
    .heif({ compression: 'hevc' })
    .toBuffer()
    .catch(() => null);
  if (heif) file('unsupported-format', 'other', 'photo.heic', heif, 'refuse', 'image/heic');
  const portable = Buffer.from(`P6 4 4 255\n${'\xff\x00\x00'.repeat(16)}`, 'latin1');
  file('unsupported-format', 'other', 'photo.ppm', portable, 'refuse', 'image/x-portable-pixmap');

  // Oversized: just over the byte limit, as a real image (random pixels stay large as PNG).
  const side2 = Math.ceil(Math.sqrt(options.maxUploadBytes / 3)) + 16;
  const noise = Buffer.from(Array.from({ length: side2 * side2 * 3 }, () => Math.floor(random() * 256)));
  const bigPng = await sharp(noise, { raw: { width: side2, height: side2, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  file('oversized', 'png', 'big.png', bigPng, 'refuse');
  file('oversized', 'other', 'big.jpg', Buffer.concat([jpeg, Buffer.alloc(options.maxUploadBytes, 0x20)]), 'refuse', 'image/jpeg');

  // Raw bodies: malformed multipart, oversized JSON.
  const raw = (category: string, headers: Record<string, string>, body: Buffer) =>
    cases.push({
      kind: 'raw',
      id: `${category}/${cases.length}`,
      category,
      headers,
      body,
      // Two parts under one field name: the first is the file, the second is dropped unread.
      verdict: category === 'multipart-same-field-twice' ? 'either' : 'refuse',
    });
  const boundary = 'pixpressCorpusBoundary';
  const multipart = { 'content-type': `multipart/form-data; boundary=${boundary}` };
  const operations = JSON.stringify({ query: UPLOAD_MUTATION, variables: { file: null } });
  const image = { name: '0', value: jpeg, filename: 'photo.jpg', type: 'image/jpeg' };
  const malformed: Array<[string, Buffer, Record<string, string>?]> = [
    ['missing-map', multipartBody(boundary, [{ name: 'operations', value: operations }, image])],
    ['missing-operations', multipartBody(boundary, [{ name: 'map', value: '{"0":["variables.file"]}' }, image])],
    [
      'map-before-operations',
      multipartBody(boundary, [{ name: 'map', value: '{"0":["variables.file"]}' }, { name: 'operations', value: operations }, image]),
    ],
    [
      'map-unknown-variable',
      multipartBody(boundary, [{ name: 'operations', value: operations }, { name: 'map', value: '{"0":["variables.nothing"]}' }, image]),
    ],
    [
      'map-deep-unknown-path',
      multipartBody(boundary, [{ name: 'operations', value: operations }, { name: 'map', value: '{"0":["variables.file.a.b.c"]}' }, image]),
    ],
    [
      'map-prototype-path',
      multipartBody(boundary, [
        { name: 'operations', value: operations },
        { name: 'map', value: '{"0":["variables.__proto__.polluted"]}' },
        image,
      ]),
    ],
    [
      'map-not-json',
      multipartBody(boundary, [{ name: 'operations', value: operations }, { name: 'map', value: '{0: variables.file' }, image]),
    ],
    [
      'map-not-object',
      multipartBody(boundary, [{ name: 'operations', value: operations }, { name: 'map', value: '["variables.file"]' }, image]),
    ],
    [
      'map-paths-not-array',
      multipartBody(boundary, [{ name: 'operations', value: operations }, { name: 'map', value: '{"0":"variables.file"}' }, image]),
    ],
    [
      'map-to-missing-file',
      multipartBody(boundary, [{ name: 'operations', value: operations }, { name: 'map', value: '{"7":["variables.file"]}' }, image]),
    ],
    [
      'map-without-file-part',
      multipartBody(boundary, [
        { name: 'operations', value: operations },
        { name: 'map', value: '{"0":["variables.file"]}' },
      ]),
    ],
    [
      'operations-not-json',
      multipartBody(boundary, [
        { name: 'operations', value: '{query: mutation' },
        { name: 'map', value: '{"0":["variables.file"]}' },
        image,
      ]),
    ],
    [
      'operations-batch',
      multipartBody(boundary, [
        { name: 'operations', value: `[${operations},${operations}]` },
        { name: 'map', value: '{"0":["0.variables.file"],"1":["1.variables.file"]}' },
        image,
        { ...image, name: '1' },
      ]),
    ],
    [
      'several-files-one-variable',
      multipartBody(boundary, [
        { name: 'operations', value: operations },
        { name: 'map', value: '{"0":["variables.file"],"1":["variables.file"]}' },
        image,
        { ...image, name: '1' },
      ]),
    ],
    [
      'several-files-one-variable-large',
      multipartBody(boundary, [
        { name: 'operations', value: operations },
        { name: 'map', value: '{"0":["variables.file"],"1":["variables.file"]}' },
        { ...image, value: Buffer.concat([jpeg, Buffer.alloc(Math.floor(options.maxUploadBytes * 0.75), 0x20)]) },
        { ...image, name: '1' },
      ]),
    ],
    [
      'same-field-twice',
      multipartBody(boundary, [
        { name: 'operations', value: operations },
        { name: 'map', value: '{"0":["variables.file"]}' },
        image,
        image,
      ]),
    ],
    [
      'too-many-files',
      multipartBody(boundary, [
        { name: 'operations', value: operations },
        { name: 'map', value: JSON.stringify(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i), ['variables.file']]))) },
        ...Array.from({ length: 12 }, (_, i) => ({ ...image, name: String(i) })),
      ]),
    ],
    [
      'unterminated',
      multipartBody(
        boundary,
        [{ name: 'operations', value: operations }, { name: 'map', value: '{"0":["variables.file"]}' }, image],
        false,
      ).subarray(0, 400),
    ],
    ['no-parts', Buffer.from(`--${boundary}--\r\n`)],
    ['empty-body', Buffer.alloc(0)],
    ['garbage-body', Buffer.from('this is not multipart at all')],
    [
      'wrong-boundary',
      multipartBody('otherBoundary', [
        { name: 'operations', value: operations },
        { name: 'map', value: '{"0":["variables.file"]}' },
        image,
      ]),
    ],
    [
      'missing-boundary',
      multipartBody(boundary, [{ name: 'operations', value: operations }, { name: 'map', value: '{"0":["variables.file"]}' }, image]),
      { 'content-type': 'multipart/form-data' },
    ],
    [
      'huge-operations-field',
      multipartBody(boundary, [
        {
          name: 'operations',
          value: JSON.stringify({ query: UPLOAD_MUTATION, variables: { file: null, pad: 'x'.repeat(2 * 1024 * 1024) } }),
        },
        { name: 'map', value: '{"0":["variables.file"]}' },
        image,
      ]),
    ],
    [
      'file-for-string-variable',
      multipartBody(boundary, [
        {
          name: 'operations',
          value: JSON.stringify({ query: 'query($s: String) { images(search: $s) { totalCount } }', variables: { s: null } }),
        },
        { name: 'map', value: '{"0":["variables.s"]}' },
        image,
      ]),
    ],
  ];
  for (const [category, body, headers] of malformed) raw(`multipart-${category}`, headers ?? multipart, body);
  // Declared far larger than any upload may be: refused from the header, before any body is read.
  raw(
    'oversized-declared-length',
    { ...multipart, 'content-length-override': String(options.maxUploadBytes * 20 + 2 * 1024 * 1024) },
    Buffer.alloc(0),
  );
  const bigJson = Buffer.from(JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(1024 * 1024 + 10) } }));
  raw('oversized-json', { 'content-type': 'application/json' }, bigJson);
  raw('oversized-json-chunked', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, bigJson);
  raw('json-not-object', { 'content-type': 'application/json' }, Buffer.from('"just a string"'));
  raw('json-invalid', { 'content-type': 'application/json' }, Buffer.from('{"query": "{ me { id } }"'));
  raw(
    'json-deep-nesting',
    { 'content-type': 'application/json' },
    Buffer.from(`{"query":"{ me { id } }","variables":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
  );
  return cases;
}

// CLI: write the corpus to a folder for inspection or for other tools.
if (import.meta.main) {
  const out = resolve(process.argv[2] ?? 'bad-corpus');
  const seed = Number(process.argv[3] ?? 20261126);
  const cases = await buildBadCorpus({ seed, maxUploadBytes: 2 * 1024 * 1024, maxInputPixels: 4_000_000 });
  await mkdir(out, { recursive: true });
  const manifest = [];
  for (const [index, entry] of cases.entries()) {
    const fileName = `${String(index).padStart(3, '0')}-${entry.category}${entry.kind === 'file' ? `-${entry.filename}` : '.body'}`;
    await writeFile(join(out, fileName), entry.kind === 'file' ? entry.data : entry.body);
    const { kind, id, category, verdict } = entry;
    manifest.push({
      file: fileName,
      kind,
      id,
      category,
      verdict,
      ...(entry.kind === 'file' ? { filename: entry.filename, mimeType: entry.mimeType } : { headers: entry.headers }),
    });
  }
  await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  console.log(`${cases.length} cases (seed ${seed}) in ${out}`);
}
