import { describe, expect, it } from 'vitest';
import { isCrossSitePost } from './same-origin.ts';

const post = (headers: Record<string, string>, https = false) => isCrossSitePost('POST', new Headers(headers), https);

describe('cross-site form posts', () => {
  it('lets same-origin posts through, over http and behind an https proxy', () => {
    expect(post({ host: 'pix.example:4321', origin: 'http://pix.example:4321' })).toBe(false);
    expect(post({ host: 'pix.example', origin: 'https://pix.example' }, true)).toBe(false);
    expect(post({ host: 'pix.example', referer: 'https://pix.example/login?next=/' }, true)).toBe(false);
  });

  it('refuses other origins, a scheme mismatch and posts that say nothing', () => {
    expect(post({ host: 'pix.example', origin: 'https://evil.example' }, true)).toBe(true);
    expect(post({ host: 'pix.example', origin: 'http://pix.example' }, true)).toBe(true);
    expect(post({ host: 'pix.example', origin: 'null' })).toBe(true);
    expect(post({ host: 'pix.example' })).toBe(true);
    expect(post({ origin: 'http://pix.example' })).toBe(true);
  });

  it('leaves safe methods alone', () => {
    expect(isCrossSitePost('GET', new Headers({ host: 'a', origin: 'https://evil.example' }), false)).toBe(false);
  });
});
