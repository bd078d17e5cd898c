import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { formatFromSignature, SIGNATURE_BYTES } from '../../../graphql/shared/formats.ts';
import { acceptedByType, looksLikeImage, refusalOf } from './image-sniff.ts';

const pixel = () => sharp({ create: { width: 4, height: 4, channels: 3, background: '#3a7' } });

describe('choosing files to upload', () => {
  it('recognises every accepted format by its first bytes, as sharp writes them', async () => {
    const written = { JPEG: pixel().jpeg(), PNG: pixel().png(), WEBP: pixel().webp(), AVIF: pixel().avif(), GIF: pixel().gif() };
    for (const [format, encoded] of Object.entries(written)) {
      const head = new Uint8Array(await encoded.toBuffer()).subarray(0, SIGNATURE_BYTES);
      expect(looksLikeImage(head)).toBe(true);
      expect(formatFromSignature(head)).toBe(format);
    }
    expect(formatFromSignature(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });

  it('refuses text by its type, and text named like an image by its contents', async () => {
    expect(acceptedByType({ name: 'notes.txt', type: 'text/plain' })).toBe(false);
    expect(acceptedByType({ name: 'notes.txt', type: '' })).toBe(false);
    expect(acceptedByType({ name: 'photo.JPG', type: '' })).toBe(true);
    expect(await refusalOf(new File(['my notes'], 'notes.txt', { type: 'text/plain' }))).toBe(
      'notes.txt is not a JPEG, PNG, WebP, AVIF or GIF image, so it was not added.',
    );
    expect(await refusalOf(new File(['my notes'], 'notes.png', { type: 'image/png' }))).toBe(
      'notes.png is named like an image but its contents are not JPEG, PNG, WebP, AVIF or GIF, so it was not added.',
    );
    expect(await refusalOf(new File([new Uint8Array(await pixel().png().toBuffer())], 'dot.png', { type: 'image/png' }))).toBeNull();
  });
});
