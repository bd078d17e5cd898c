// Runs in a worker thread: SSIM costs tens of milliseconds per megapixel of plain JS, which
// would otherwise stall every other request on the event loop.
import { parentPort } from 'node:worker_threads';
import {
  lumaPlaneOf,
  newReferenceWindows,
  ssimAgainstWindows,
  ssimOfLuma,
  windowCount,
  type LumaPlane,
  type RawPixels,
  type ReferenceWindows,
} from './ssim.ts';

export interface SsimRequest {
  id: number;
  /** Luma planes, or RGB pixels whose luma the worker takes. */
  reference: LumaPlane | RawPixels;
  candidate: LumaPlane | RawPixels;
  /**
   * Set when more candidates will be compared with this reference (a search): the reference's
   * luma and window terms are then kept under this key, and later requests with it reuse them.
   */
  referenceKey?: number;
}

export type SsimReply = { id: number; ssim: number } | { id: number; error: string };

/**
 * References with more windows than this are not kept (six bytes a window: 24 MB). A live
 * preview's 1600×1000 has 1.6 million; searches at full size on large originals compare afresh.
 */
const MAX_KEPT_WINDOWS = 4_000_000;

/** One reference's terms: a worker serves one comparison at a time, and a search's come in turn. */
let kept: { key: number; windows: ReferenceWindows } | null = null;

function measure(request: SsimRequest): number {
  const candidate = lumaPlaneOf(request.candidate);
  const key = request.referenceKey;
  if (key === undefined) return ssimOfLuma(lumaPlaneOf(request.reference), candidate);
  if (kept?.key === key) return ssimAgainstWindows(kept.windows, candidate);
  const reference = lumaPlaneOf(request.reference);
  if (windowCount(reference.width, reference.height) > MAX_KEPT_WINDOWS) return ssimOfLuma(reference, candidate);
  kept = null; // the old terms can go before the new ones are allocated
  const windows = newReferenceWindows(reference);
  const ssim = ssimOfLuma(reference, candidate, windows);
  kept = { key, windows };
  return ssim;
}

parentPort!.on('message', (request: SsimRequest) => {
  let reply: SsimReply;
  try {
    reply = { id: request.id, ssim: measure(request) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
