// The one lowdb instance of the process. Mutations change the in-memory data synchronously (so
// checks and changes made in one tick cannot interleave with another request) and then persist;
// lowdb writes through a temp file and a rename, so db.json is always whole.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { emptyDatabase, type CompressionRecord, type DatabaseShape, type ImageRecord, type UserRecord } from './records.ts';

export interface Usage {
  images: number;
  files: number;
  bytes: number;
}

export class Store {
  private readonly db: Low<DatabaseShape>;
  /** True when db.json did not exist when this process opened it (it is created by persist()). */
  readonly isNew: boolean;
  readonly path: string;

  private constructor(db: Low<DatabaseShape>, path: string, isNew: boolean) {
    this.db = db;
    this.path = path;
    this.isNew = isNew;
  }

  static async open(dataDir: string): Promise<Store> {
    await mkdir(dataDir, { recursive: true });
    const path = join(dataDir, 'db.json');
    let isNew = false;
    try {
      const text = await readFile(path, 'utf8');
      const parsed = JSON.parse(text) as Partial<DatabaseShape>;
      if (typeof parsed !== 'object' || parsed === null || typeof parsed.users !== 'object') {
        throw new Error('missing the users table');
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') isNew = true;
      else throw new Error(`${path} is not a Pixpress database (${(error as Error).message}); refusing to overwrite it`);
    }
    const db = new Low<DatabaseShape>(new JSONFile(path), emptyDatabase());
    await db.read();
    db.data = { ...emptyDatabase(), ...db.data };
    // A new database is written by its first persist() (createApp's, after seeding), so a crash
    // before then leaves no db.json and the next start is still a first start.
    return new Store(db, path, isNew);
  }

  get data(): Readonly<DatabaseShape> {
    return this.db.data;
  }

  async persist(): Promise<void> {
    await this.db.write();
  }

  /** Whether db.json can still be read and parsed: what /healthz reports. */
  async isReadable(): Promise<boolean> {
    try {
      JSON.parse(await readFile(this.path, 'utf8'));
      return true;
    } catch {
      return false;
    }
  }

  // Users

  findUserByUsername(username: string): UserRecord | undefined {
    const key = username.toLowerCase();
    return Object.values(this.db.data.users).find((user) => user.usernameKey === key);
  }

  getUser(id: string): UserRecord | undefined {
    return Object.hasOwn(this.db.data.users, id) ? this.db.data.users[id] : undefined;
  }

  /** Adds the user unless the name is taken (checked in the same tick); false when taken. */
  insertUser(user: UserRecord): boolean {
    if (this.findUserByUsername(user.username)) return false;
    this.db.data.users[user.id] = user;
    this.db.data.images[user.id] ??= {};
    return true;
  }

  // Images

  listImages(userId: string): ImageRecord[] {
    return Object.values(this.db.data.images[userId] ?? {});
  }

  getImage(userId: string, imageId: string): ImageRecord | undefined {
    const images = this.db.data.images[userId];
    return images && Object.hasOwn(images, imageId) ? images[imageId] : undefined;
  }

  insertImage(image: ImageRecord): void {
    (this.db.data.images[image.userId] ??= {})[image.id] = image;
    this.db.data.compressions[image.id] ??= {};
  }

  /** Applies a rename or retag; undefined when the user has no such image. */
  updateImage(userId: string, imageId: string, changes: Partial<Pick<ImageRecord, 'name' | 'tags'>>): ImageRecord | undefined {
    const image = this.getImage(userId, imageId);
    if (!image) return undefined;
    Object.assign(image, changes, { updatedAt: new Date().toISOString() });
    return image;
  }

  /** Removes the image and its compressions from the data; returns what was removed. */
  removeImage(userId: string, imageId: string): { image: ImageRecord; compressions: CompressionRecord[] } | undefined {
    const image = this.getImage(userId, imageId);
    if (!image) return undefined;
    const compressions = this.listCompressions(imageId);
    delete this.db.data.images[userId]![imageId];
    delete this.db.data.compressions[imageId];
    return { image, compressions };
  }

  // Compressions

  /** Newest first. */
  listCompressions(imageId: string): CompressionRecord[] {
    return Object.values(this.db.data.compressions[imageId] ?? {}).sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
    );
  }

  getCompression(userId: string, compressionId: string): CompressionRecord | undefined {
    for (const image of this.listImages(userId)) {
      const compressions = this.db.data.compressions[image.id];
      if (compressions && Object.hasOwn(compressions, compressionId)) return compressions[compressionId];
    }
    return undefined;
  }

  insertCompression(compression: CompressionRecord): void {
    (this.db.data.compressions[compression.imageId] ??= {})[compression.id] = compression;
  }

  removeCompression(userId: string, compressionId: string): CompressionRecord | undefined {
    const compression = this.getCompression(userId, compressionId);
    if (!compression) return undefined;
    delete this.db.data.compressions[compression.imageId]![compressionId];
    return compression;
  }

  usage(userId: string): Usage {
    let files = 0;
    let bytes = 0;
    const images = this.listImages(userId);
    for (const image of images) {
      files += 1;
      bytes += image.bytes;
      for (const compression of Object.values(this.db.data.compressions[image.id] ?? {})) {
        files += 1;
        bytes += compression.bytes;
      }
    }
    return { images: images.length, files, bytes };
  }

  compressionCount(imageId: string): number {
    return Object.keys(this.db.data.compressions[imageId] ?? {}).length;
  }
}
