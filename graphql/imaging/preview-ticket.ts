// A preview's ticket: what a search chose (format, quality, encoder effort) for one user's image
// and one set of options, signed with a key derived from the secret and valid for a few minutes.
// compressImage given a matching ticket encodes once at that choice instead of searching again;
// any instance can check it (no cache to share). A ticket that is forged, altered, expired, or
// for another user, image or options is ignored, and the search runs as it would without one.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { OUTPUT_FORMATS, type OutputFormat } from '../shared/formats.ts';
import type { CompressPlan } from './compress-options.ts';
import type { EncodeEffort } from './encoders.ts';

export const PREVIEW_TICKET_TTL_SECONDS = 600;

/** What the search chose, which is all a ticket lets a caller skip. */
export interface SearchChoice {
  format: OutputFormat;
  quality: number;
  effort: EncodeEffort;
}

/** Who and what the ticket is for: all of it must match when it is used. */
export interface TicketSubject {
  userId: string;
  imageId: string;
  /** The image's stored file: a ticket never applies to other pixels. */
  imageFile: string;
  plan: CompressPlan;
}

interface Claims extends SearchChoice {
  subject: string;
  exp: number;
}

const EFFORTS: readonly EncodeEffort[] = ['FAST', 'BALANCED', 'SMALLEST'];

/** The options that decide the output, in one canonical text (measureSsim does not). */
function subjectOf({ userId, imageId, imageFile, plan }: TicketSubject): string {
  return JSON.stringify([
    userId,
    imageId,
    imageFile,
    plan.width,
    plan.height,
    plan.format,
    plan.goal,
    plan.effort,
    plan.fit,
    plan.transform,
  ]);
}

export interface PreviewTickets {
  issue(subject: TicketSubject, choice: SearchChoice, nowMs?: number): string;
  /** The choice, or null for anything but a genuine, unexpired ticket for exactly this subject. */
  redeem(ticket: string, subject: TicketSubject, nowMs?: number): SearchChoice | null;
}

export function createPreviewTickets(key: Uint8Array): PreviewTickets {
  const secretKey: KeyObject = createSecretKey(key);
  const mac = (payload: string) => createHmac('sha256', secretKey).update(payload).digest('base64url');
  return {
    issue(subject, choice, nowMs = Date.now()) {
      const claims: Claims = {
        format: choice.format,
        quality: choice.quality,
        effort: choice.effort,
        subject: subjectOf(subject),
        exp: Math.floor(nowMs / 1000) + PREVIEW_TICKET_TTL_SECONDS,
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${payload}.${mac(payload)}`;
    },
    redeem(ticket, subject, nowMs = Date.now()) {
      const [payload, signature, ...rest] = ticket.split('.');
      if (!payload || !signature || rest.length > 0) return null;
      // The canonical text is compared (see signed-urls.ts: base64url decoding is lenient).
      const given = Buffer.from(signature, 'latin1');
      const expected = Buffer.from(mac(payload), 'latin1');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let claims: Claims;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
      } catch {
        return null;
      }
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs) return null;
      if (claims.subject !== subjectOf(subject)) return null;
      if (
        !(OUTPUT_FORMATS as readonly string[]).includes(claims.format) ||
        !EFFORTS.includes(claims.effort) ||
        !Number.isInteger(claims.quality) ||
        claims.quality < 1 ||
        claims.quality > 100
      )
        return null;
      return { format: claims.format, quality: claims.quality, effort: claims.effort };
    },
  };
}

/** The plan that encodes once at the ticket's choice, keeping the size it was made for. */
export function planFromChoice(plan: CompressPlan, choice: SearchChoice): CompressPlan {
  return { ...plan, format: choice.format, goal: { kind: 'quality', quality: choice.quality }, effort: choice.effort, measureSsim: true };
}
