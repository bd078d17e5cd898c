// Runs in a worker thread: SSIM costs tens of milliseconds per megapixel of plain JS, which
// would otherwise stall every other request on the event loop.
import { parentPort } from 'node:worker_threads';
import { ssimOfLuma, type LumaPlane } from './ssim.ts';

export interface SsimRequest {
  id: number;
  reference: LumaPlane;
  candidate: LumaPlane;
}

export type SsimReply = { id: number; ssim: number } | { id: number; error: string };

parentPort!.on('message', (request: SsimRequest) => {
  let reply: SsimReply;
  try {
    reply = { id: request.id, ssim: ssimOfLuma(request.reference, request.candidate) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
