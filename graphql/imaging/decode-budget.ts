// Decoding costs by pixels, not bytes: a 2 KiB AVIF can decode to 7000x7000 and take many
// seconds per preview. Each user may decode so many megapixels per minute across stored-image compressions
// and previews; past that, a cheap 429 until the minute is over.
import type { RateLimiter } from '../auth/rate-limit.ts';
import { tooManyRequests } from '../auth/anonymous-limits.ts';

const MINUTE_MS = 60_000;

export async function chargeDecode(limiter: RateLimiter, userId: string, pixels: number, megapixelsPerMinute: number): Promise<void> {
  const megapixels = Math.max(1, Math.ceil(pixels / 1_000_000));
  const verdict = await limiter.hit(`decode:${userId}`, megapixelsPerMinute, MINUTE_MS, megapixels);
  if (!verdict.allowed) {
    throw tooManyRequests(
      `You have used this minute's image processing budget (${megapixelsPerMinute} megapixels); try again in ${verdict.retryAfterSeconds} s.`,
      verdict.retryAfterSeconds,
    );
  }
}
