import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDate,
  formatExposure,
  formatSavings,
  formatShutter,
  formatSsim,
  formatTakenAt,
  parseTags,
  savingsOf,
} from './format.ts';
import { galleryHref, orderFor, readGalleryParams } from './gallery-params.ts';
import { describeProblem, describeTransportError } from './problems.ts';
import { safeNext, sessionCookieOptions } from './session.ts';
import { usedPercent } from './usage-events.ts';

describe('photo facts', () => {
  it('writes exposure as photographers do, and the camera clock as it was', () => {
    expect([0.004, 1 / 60, 0.5, 1, 2.5, 30].map(formatShutter)).toEqual(['1/250 s', '1/60 s', '1/2 s', '1 s', '2.5 s', '30 s']);
    expect(formatExposure({ exposureTime: 0.004, fNumber: 2.8, iso: 400, focalLength: 50 })).toBe('1/250 s · f/2.8 · ISO 400 · 50 mm');
    expect(formatExposure({ fNumber: 11 })).toBe('f/11');
    expect(formatExposure({})).toBeNull();
    expect(formatTakenAt('2024-05-01T14:03:22')).toBe('1 May 2024, 14:03');
  });
});

describe('formatting', () => {
  it('sizes in powers of 1024 with one decimal below 100', () => {
    expect([0, 1023, 1024, 1536, 102_400, 5 * 1024 * 1024, 3.25 * 1024 ** 3].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1 KB',
      '1.5 KB',
      '100 KB',
      '5 MB',
      '3.3 GB',
    ]);
    expect(formatBytes(-1)).toBe('—');
  });

  it('savings as words, rounded', () => {
    expect([0.4234, -0.1, 0.001, 1].map(formatSavings)).toEqual(['42% smaller', '10% larger', 'same size', '100% smaller']);
    expect(savingsOf(250, 1000)).toBe(0.75);
    expect(savingsOf(10, 0)).toBe(0);
  });

  it('SSIM to four places, dates in UTC', () => {
    expect(formatSsim(0.987654)).toBe('0.9877');
    expect(formatSsim(null)).toBe('—');
    expect(formatDate('2026-11-26T23:59:00.000Z')).toBe('Nov 26, 2026');
  });

  it('tags from a comma list: trimmed, no empties, no duplicates', () => {
    expect(parseTags(' holiday, beach ,, sea,beach ')).toEqual(['holiday', 'beach', 'sea']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('gallery URL state', () => {
  it('reads what a URL says and falls back to the defaults', () => {
    expect(readGalleryParams(new URLSearchParams('q=%20alps%20&tag=sea&sort=largest&after=abc'))).toEqual({
      search: 'alps',
      tag: 'sea',
      sort: 'largest',
      after: 'abc',
    });
    expect(readGalleryParams(new URLSearchParams('sort=bogus'))).toEqual({ search: '', tag: '', sort: 'newest', after: null });
    expect(orderFor('smallest')).toBe('SMALLEST');
  });

  it('writes short URLs that read back the same', () => {
    expect(galleryHref({ sort: 'newest' })).toBe('/');
    const href = galleryHref({ search: 'a b&c', tag: 'sea', sort: 'name', after: null });
    expect(href).toBe('/?q=a+b%26c&tag=sea&sort=name');
    expect(readGalleryParams(new URL(href, 'http://x').searchParams)).toEqual({ search: 'a b&c', tag: 'sea', sort: 'name', after: null });
  });
});

describe('session cookie', () => {
  it('lasts until the token expires, httpOnly and Lax, Secure only over https', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(sessionCookieOptions('2026-01-02T00:00:00Z', false, now)).toEqual({
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: false,
      maxAge: 86_400,
    });
    expect(sessionCookieOptions('2025-12-31T00:00:00Z', true, now).maxAge).toBe(0);
    expect(sessionCookieOptions('2026-01-01T01:00:00Z', true, now).secure).toBe(true);
  });

  it('only sends people on to paths of this site', () => {
    expect(['/images/1?x=2', '//evil.example', '/\\evil.example', 'https://evil.example', '', null].map(safeNext)).toEqual([
      '/images/1?x=2',
      '/',
      '/',
      '/',
      '/',
      '/',
    ]);
  });
});

describe('problems in words', () => {
  it('explains the typed errors', () => {
    expect(
      describeProblem({
        __typename: 'FileTooLargeError',
        code: 'FILE_TOO_LARGE',
        message: 'x',
        maxBytes: 25 * 1024 * 1024,
        maxPixels: 50_000_000,
      }),
    ).toBe('This file is too large. Images can be up to 25 MB and 50 megapixels.');
    expect(describeProblem({ __typename: 'QuotaExceededError', code: 'QUOTA_EXCEEDED', message: 'x', limit: 10 })).toContain('limit (10)');
    expect(describeProblem({ __typename: 'InvalidImageError', code: 'INVALID_IMAGE', message: 'x' })).toMatch(
      /not an image Pixpress can read/,
    );
    expect(describeProblem({ __typename: 'ValidationError', code: 'VALIDATION', message: 'A name cannot be empty.' })).toBe(
      'A name cannot be empty.',
    );
  });

  it('explains transport failures by status', () => {
    expect(describeTransportError(413)).toMatch(/too large/);
    expect(describeTransportError(0)).toMatch(/Could not reach/);
    expect(describeTransportError(503)).toMatch(/busy/);
    expect(describeTransportError(500, 'boom')).toBe('Something went wrong: boom');
  });
});

describe('quota meter', () => {
  it('fills by the share of images used, capped at 100', () => {
    expect([
      usedPercent({ images: 3, maxImages: 10 }),
      usedPercent({ images: 12, maxImages: 10 }),
      usedPercent({ images: 0, maxImages: 0 }),
    ]).toEqual([30, 100, 0]);
  });
});
