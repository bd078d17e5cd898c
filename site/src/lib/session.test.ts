import { describe, expect, it } from 'vitest';
import { safeNext } from './session.ts';

describe('safeNext', () => {
  it.each([
    ['/images/abc?tag=x#top', '/images/abc?tag=x#top'],
    ['/upload', '/upload'],
    ['/a b', '/a%20b'],
    ['/x\u0000y\u001bz', '/x%00y%1Bz'],
  ])('keeps the same-origin path %j as %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    null,
    '',
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '\t//evil.example',
    '/.//evil.example',
    '/%2e//evil.example',
    'javascript:alert(1)',
    'evil.example',
  ])('sends %j home', (next) => {
    const target = safeNext(next);
    expect(target).toBe('/');
    expect(new URL(target, 'https://pix.example').origin).toBe('https://pix.example');
  });
});
