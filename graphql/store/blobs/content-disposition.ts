// Content-Disposition for a file a browser fetches: inline to show it, attachment with a name to
// save it. The name is a user's (an image's display name), so it is cleaned before it reaches a
// header: no control or bidirectional-override characters (a name shown as "photo.gpj.exe" must
// not be able to pose as "photo.exe.jpg"), no path separators, no leading dots, a bounded length.
// RFC 6266: a quoted ASCII fallback for old clients, and the exact name in filename* (RFC 8187).

// biome-ignore lint/suspicious/noControlCharactersInRegex: control and bidi characters are what is removed
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const MAX_NAME_CHARACTERS = 150;

export function contentDisposition(
  downloadName?: string,
  disposition: 'inline' | 'attachment' = downloadName === undefined ? 'inline' : 'attachment',
): string {
  const name = downloadName === undefined ? '' : cleanFileName(downloadName);
  if (!name) return disposition;
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function cleanFileName(name: string): string {
  const cleaned = name.normalize('NFC').replace(UNSAFE, '').replace(/[/\\]/g, '_').trim().replace(/^\.+/, '');
  return Array.from(cleaned).slice(0, MAX_NAME_CHARACTERS).join('').trim();
}
