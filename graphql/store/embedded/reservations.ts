// Quotas that hold under any concurrency within the one process that owns the embedded database.
// A request reserves its slot synchronously (no await between the count and the hold), counting
// both stored records and the reservations of requests still in flight; the slot becomes a record
// (commit, in the same tick as a last check) or is handed back (release).
import {
  QuotaRefusedError,
  type CompressionReservation,
  type CompressionSetReservation,
  type ImageReservation,
  type QuotaLimits,
  type QuotaRefusal,
} from '../ports.ts';
import type { CompressionRecord, ImageRecord } from '../records.ts';
import type { EmbeddedRecordStore } from './records.ts';

type Counter = Map<string, number>;

export class ReservationLedger {
  private readonly pendingImages: Counter = new Map();
  private readonly pendingFiles: Counter = new Map();
  private readonly pendingCompressions: Counter = new Map();
  private readonly store: EmbeddedRecordStore;

  constructor(store: EmbeddedRecordStore) {
    this.store = store;
  }

  reserveImage(userId: string, limits: QuotaLimits): ImageReservation | QuotaRefusal {
    const usage = this.store.usageNow(userId);
    if (usage.images + count(this.pendingImages, userId) >= limits.quotaImages) return { kind: 'images', limit: limits.quotaImages };
    if (usage.files + count(this.pendingFiles, userId) >= limits.quotaFiles) return { kind: 'files', limit: limits.quotaFiles };
    if (usage.bytes >= limits.quotaBytes) return { kind: 'bytes', limit: limits.quotaBytes };
    const release = this.hold([
      [this.pendingImages, userId],
      [this.pendingFiles, userId],
    ]);
    return {
      commit: async (image: ImageRecord) => {
        // The record and the end of the hold in one tick: no other reservation sees both or neither.
        // Only the first of commit and release acts (the ports' contract).
        if (!release()) return;
        this.refuseOverBytes(userId, image.bytes, limits);
        await this.store.commitInsert(() => this.store.insertImageNow(image));
      },
      release: async () => {
        release();
      },
    };
  }

  reserveCompression(userId: string, imageId: string, limits: QuotaLimits): CompressionReservation | QuotaRefusal {
    const stored = this.store.compressionCount(imageId);
    if (stored + count(this.pendingCompressions, imageId) >= limits.quotaCompressionsPerImage) {
      return { kind: 'compressionsPerImage', limit: limits.quotaCompressionsPerImage };
    }
    const usage = this.store.usageNow(userId);
    if (usage.files + count(this.pendingFiles, userId) >= limits.quotaFiles) return { kind: 'files', limit: limits.quotaFiles };
    if (usage.bytes >= limits.quotaBytes) return { kind: 'bytes', limit: limits.quotaBytes };
    const release = this.hold([
      [this.pendingCompressions, imageId],
      [this.pendingFiles, userId],
    ]);
    return {
      commit: async (compression: CompressionRecord) => {
        if (!release()) return false;
        this.refuseOverBytes(userId, compression.bytes, limits);
        return this.store.commitInsert(() => this.store.insertCompressionNow(compression));
      },
      release: async () => {
        release();
      },
    };
  }

  /** `count` slots of one image in one hold: granted together or refused together. */
  reserveCompressions(userId: string, imageId: string, slots: number, limits: QuotaLimits): CompressionSetReservation | QuotaRefusal {
    const stored = this.store.compressionCount(imageId);
    if (stored + count(this.pendingCompressions, imageId) + slots > limits.quotaCompressionsPerImage) {
      return { kind: 'compressionsPerImage', limit: limits.quotaCompressionsPerImage };
    }
    const usage = this.store.usageNow(userId);
    if (usage.files + count(this.pendingFiles, userId) + slots > limits.quotaFiles) return { kind: 'files', limit: limits.quotaFiles };
    if (usage.bytes >= limits.quotaBytes) return { kind: 'bytes', limit: limits.quotaBytes };
    const release = this.hold(
      [
        [this.pendingCompressions, imageId],
        [this.pendingFiles, userId],
      ],
      slots,
    );
    return {
      commit: async (compressions: CompressionRecord[]) => {
        if (compressions.length > slots)
          throw new Error(`A set of ${slots} compression slots was committed with ${compressions.length} records.`);
        if (compressions.some((compression) => compression.userId !== userId || compression.imageId !== imageId)) {
          throw new Error('A compression set reservation was committed with another image’s compression.');
        }
        if (!release()) return false;
        this.refuseOverBytes(
          userId,
          compressions.reduce((sum, compression) => sum + compression.bytes, 0),
          limits,
        );
        return this.store.commitInsert(() => this.store.insertCompressionsNow(compressions));
      },
      release: async () => {
        release();
      },
    };
  }

  /** Sizes are known only at commit: checked in the same tick as the insert that follows. */
  private refuseOverBytes(userId: string, bytes: number, limits: QuotaLimits): void {
    if (this.store.usageNow(userId).bytes + bytes > limits.quotaBytes)
      throw new QuotaRefusedError({ kind: 'bytes', limit: limits.quotaBytes });
  }

  /** Counts one hold on each counter; the returned function gives it back, once (true then). */
  private hold(counters: Array<[Counter, string]>, amount = 1): () => boolean {
    for (const [map, key] of counters) map.set(key, count(map, key) + amount);
    let held = true;
    return () => {
      if (!held) return false;
      held = false;
      for (const [map, key] of counters) {
        const next = count(map, key) - amount;
        if (next > 0) map.set(key, next);
        else map.delete(key);
      }
      return true;
    };
  }
}

function count(map: Counter, key: string): number {
  return map.get(key) ?? 0;
}
