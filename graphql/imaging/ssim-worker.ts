// Runs in a worker thread: SSIM costs tens of milliseconds per megapixel of plain JS, which
// would otherwise stall every other request on the event loop.
import { parentPort } from 'node:worker_threads';
import { lumaPlaneOf, ssimOfLuma, type LumaPlane, type RawPixels } from './ssim.ts';

export interface SsimRequest {
  id: number;
  /** Luma planes, or RGB pixels whose luma the worker takes. */
  reference: LumaPlane | RawPixels;
  candidate: LumaPlane | RawPixels;
}

export type SsimReply = { id: number; ssim: number } | { id: number; error: string };

parentPort!.on('message', (request: SsimRequest) => {
  let reply: SsimReply;
  try {
    reply = { id: request.id, ssim: ssimOfLuma(lumaPlaneOf(request.reference), lumaPlaneOf(request.candidate)) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
