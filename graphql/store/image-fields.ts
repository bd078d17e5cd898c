// Rules for the names and tags people give their images.
import { ValidationError } from '../errors.ts';
import type { TagChange } from './ports.ts';

export const MAX_NAME_LENGTH = 200;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;

// Control characters and bidi overrides make names that display differently from what they are.
const UNSAFE_CHARACTERS = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

// A lone surrogate (half of a UTF-16 pair) is not text: it cannot be stored as UTF-8 (Postgres
// would keep U+FFFD in its place), so it becomes U+FFFD here, the same on every backend.
function clean(value: string): string {
  return value.toWellFormed().replace(UNSAFE_CHARACTERS, '').normalize('NFC').trim();
}

export function validateName(name: string, field = 'name'): string {
  const cleaned = clean(name);
  if (cleaned.length === 0) throw new ValidationError('A name cannot be empty.', field);
  if ([...cleaned].length > MAX_NAME_LENGTH) throw new ValidationError(`A name is at most ${MAX_NAME_LENGTH} characters.`, field);
  return cleaned;
}

/** A name from a client's file name: the last path segment, cleaned, or "untitled". */
export function nameFromFilename(filename: string): string {
  const base = clean(filename.split(/[\\/]/).pop() ?? '');
  return [...(base || 'untitled')].slice(0, MAX_NAME_LENGTH).join('');
}

/**
 * Tags are compared without regard to case, so they are stored lower-cased: `wood` and `WOOD` are
 * one tag on every backend, and a filter or a count needs no case folding of its own.
 */
export function normalizeTag(tag: string): string {
  return clean(tag).toLowerCase();
}

/** Trimmed, lower-cased, without duplicates, in the order given. */
export function validateTags(tags: readonly string[], field = 'tags'): string[] {
  const result: string[] = [];
  for (const tag of tags) {
    const cleaned = normalizeTag(tag);
    if (cleaned.length === 0) throw new ValidationError('A tag cannot be empty.', field);
    if ([...cleaned].length > MAX_TAG_LENGTH) throw new ValidationError(`A tag is at most ${MAX_TAG_LENGTH} characters.`, field);
    if (!result.includes(cleaned)) result.push(cleaned);
    // Refused as soon as there are too many: checking a flood of distinct tags against each
    // other was quadratic (a flood of tags under the body limit held the event loop for many seconds).
    if (result.length > MAX_TAGS) throw new ValidationError(`An image has at most ${MAX_TAGS} tags.`, field);
  }
  return result;
}

/** An image's tags after a change: its own less those removed, then those added it lacks, in order. */
export function applyTagChange(current: readonly string[], change: TagChange): string[] {
  const removing = new Set(change.remove);
  const tags = current.filter((tag) => !removing.has(tag));
  for (const tag of change.add) if (!tags.includes(tag)) tags.push(tag);
  return tags;
}
