// How V8 decides when to start a full garbage collection, set for a server that keeps a small heap
// and moves large buffers through it.
//
// V8's default starts incremental marking as soon as the room left under the old generation's
// limit is smaller than the young generation can grow to. Pixpress's heap is small (about 25 MB
// live, a limit near 60 MB) beside a young generation of tens of MB, so that holds after every
// collection: each upload's megabytes of socket buffers (external memory) started another full
// collection, about one per 8.5 MB upload, each costing 20-25 ms on the main thread and as much on
// V8's helper threads (bench/RESULTS.md, "Garbage collection"). With a soft trigger, marking starts
// once the heap is that far towards its limit instead: a full collection every four or five
// uploads (14-16 in 70), 30-35 ms of CPU saved per upload (about 8 % of the core job), and the
// peak memory goal still held (bench/memory.ts). Those left are started by V8's external-memory
// pressure (the uploads' socket buffers, freed only when collected), which this flag does not move.
//
// Node warns that V8 flags changed after start may do nothing or misbehave. This one is a
// threshold V8 reads each time it decides whether to start marking, and setting it at start is
// what production.test.ts checks by its effect (major collections counted through /metrics). It
// cannot go in NODE_OPTIONS (Node accepts only a few V8 flags there), and the container's
// `npm run serve` runs server.ts in its own process (MALLOC_ARENA_MAX is already set), so
// server.ts sets it.
import { setFlagsFromString } from 'node:v8';

/** Percent of the room between the heap's size after a collection and its limit used before marking starts. */
export const MARKING_SOFT_TRIGGER_PERCENT = 50;

/** Applies the settings above to this process; call once, at start, before serving requests. */
export function tuneGarbageCollection(): void {
  setFlagsFromString(`--incremental-marking-soft-trigger=${MARKING_SOFT_TRIGGER_PERCENT}`);
}
