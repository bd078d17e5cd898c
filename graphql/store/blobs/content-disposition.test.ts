import { describe, expect, it } from 'vitest';
import { cleanFileName, contentDisposition } from './content-disposition.ts';

describe('contentDisposition', () => {
  it('is inline without a download name, and an attachment with a quoted ASCII name and the exact UTF-8 one', () => {
    expect(contentDisposition()).toBe('inline');
    expect(contentDisposition('holiday.jpg')).toBe(`attachment; filename="holiday.jpg"; filename*=UTF-8''holiday.jpg`);
    // Shown in the browser, saved under the name.
    expect(contentDisposition('holiday.jpg', 'inline')).toBe(`inline; filename="holiday.jpg"; filename*=UTF-8''holiday.jpg`);
    expect(contentDisposition(undefined, 'attachment')).toBe('attachment');
    expect(contentDisposition('Crème brûlée (1).webp')).toBe(
      `attachment; filename="Cr_me br_l_e (1).webp"; filename*=UTF-8''Cr%C3%A8me%20br%C3%BBl%C3%A9e%20%281%29.webp`,
    );
  });

  it('keeps quotes, backslashes, percent signs and header breaks out of the header', () => {
    const header = contentDisposition('a"b\\c%41\r\nSet-Cookie: x=1.png');
    expect(header).toBe(`attachment; filename="a_b_c_41Set-Cookie: x=1.png"; filename*=UTF-8''a%22b_c%2541Set-Cookie%3A%20x%3D1.png`);
    expect(header).not.toMatch(/[\r\n]/);
  });

  it('drops direction overrides, path separators and leading dots, and bounds the length', () => {
    expect(cleanFileName('photo\u202egpj.exe')).toBe('photogpj.exe');
    expect(cleanFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(cleanFileName('  .hidden.png ')).toBe('hidden.png');
    expect(Array.from(cleanFileName('é'.repeat(400))).length).toBe(150);
    expect(contentDisposition('\u200f\u0000 ')).toBe('attachment');
  });
});
