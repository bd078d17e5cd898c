// Quotas that hold under any concurrency. A request reserves its slot synchronously, before its
// first await, counting both stored records and the reservations of requests still in flight; the
// slot becomes a record (commit) or is handed back (release) when the request ends.
import type { Store } from './db.ts';

export interface QuotaLimits {
  quotaImages: number;
  quotaCompressionsPerImage: number;
  quotaFiles: number;
}

export type QuotaKind = 'images' | 'compressionsPerImage' | 'files';

export interface QuotaRefusal {
  kind: QuotaKind;
  limit: number;
}

/** A held slot. release() is idempotent, so finally-blocks may call it after a commit. */
export interface Reservation {
  release(): void;
}

export class QuotaLedger {
  private readonly pendingImages = new Map<string, number>();
  private readonly pendingFiles = new Map<string, number>();
  private readonly pendingCompressions = new Map<string, number>();
  private readonly store: Store;
  private readonly limits: QuotaLimits;

  constructor(store: Store, limits: QuotaLimits) {
    this.store = store;
    this.limits = limits;
  }

  reserveImage(userId: string): Reservation | QuotaRefusal {
    const usage = this.store.usage(userId);
    if (usage.images + count(this.pendingImages, userId) >= this.limits.quotaImages) {
      return { kind: 'images', limit: this.limits.quotaImages };
    }
    if (usage.files + count(this.pendingFiles, userId) >= this.limits.quotaFiles) {
      return { kind: 'files', limit: this.limits.quotaFiles };
    }
    return this.hold([
      [this.pendingImages, userId],
      [this.pendingFiles, userId],
    ]);
  }

  reserveCompression(userId: string, imageId: string): Reservation | QuotaRefusal {
    const stored = this.store.compressionCount(imageId);
    if (stored + count(this.pendingCompressions, imageId) >= this.limits.quotaCompressionsPerImage) {
      return { kind: 'compressionsPerImage', limit: this.limits.quotaCompressionsPerImage };
    }
    const usage = this.store.usage(userId);
    if (usage.files + count(this.pendingFiles, userId) >= this.limits.quotaFiles) {
      return { kind: 'files', limit: this.limits.quotaFiles };
    }
    return this.hold([
      [this.pendingCompressions, imageId],
      [this.pendingFiles, userId],
    ]);
  }

  private hold(counters: Array<[Map<string, number>, string]>): Reservation {
    for (const [map, key] of counters) map.set(key, count(map, key) + 1);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        for (const [map, key] of counters) {
          const next = count(map, key) - 1;
          if (next > 0) map.set(key, next);
          else map.delete(key);
        }
      },
    };
  }
}

export function isRefusal(value: Reservation | QuotaRefusal): value is QuotaRefusal {
  return 'kind' in value;
}

function count(map: Map<string, number>, key: string): number {
  return map.get(key) ?? 0;
}
