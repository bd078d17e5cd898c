// Per-request batching of record lookups (DataLoader), so that a gallery page asks the backend
// once for every image's compressions, once for the images behind a list of compressions and
// once for the caller, instead of once per item: with Postgres, each would be a round trip.
import DataLoader from 'dataloader';
import type { RecordStore, Usage } from './ports.ts';
import type { CompressionRecord, ImageRecord, UserRecord } from './records.ts';

export interface Loaders {
  user: DataLoader<string, UserRecord | null>;
  /** Keyed by `${userId}/${imageId}`: images are only ever looked up among their owner's. */
  image: DataLoader<string, ImageRecord | null>;
  compressions: DataLoader<string, CompressionRecord[]>;
  usage: DataLoader<string, Usage>;
}

export function createLoaders(records: RecordStore): Loaders {
  return {
    user: new DataLoader(async (ids) => Promise.all(ids.map(async (id) => (await records.getUser(id)) ?? null))),
    image: new DataLoader(async (keys) => {
      const byUser = new Map<string, string[]>();
      for (const key of keys) {
        const [userId, imageId] = key.split('/') as [string, string];
        byUser.set(userId, [...(byUser.get(userId) ?? []), imageId]);
      }
      const found = new Map<string, ImageRecord>();
      await Promise.all(
        [...byUser].map(async ([userId, imageIds]) => {
          for (const [id, image] of await records.getImages(userId, imageIds)) found.set(`${userId}/${id}`, image);
        }),
      );
      return keys.map((key) => found.get(key) ?? null);
    }),
    compressions: new DataLoader(async (imageIds) => {
      const byImage = await records.listCompressions(imageIds);
      return imageIds.map((id) => byImage.get(id) ?? []);
    }),
    usage: new DataLoader(async (userIds) => {
      const byUser = await records.usage(userIds);
      return userIds.map((id) => byUser.get(id) ?? { images: 0, files: 0, bytes: 0 });
    }),
  };
}

export function imageKey(userId: string, imageId: string): string {
  return `${userId}/${imageId}`;
}
