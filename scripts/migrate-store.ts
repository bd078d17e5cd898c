// Moves an embedded install up: copies the users, images, compressions and files of an embedded
// data folder into the records and files the environment names (DATABASE_URL, S3_*; DATA_DIR
// when the files stay on a local or shared disk), through the same ports the server uses.
//
//   npm run migrate-store -- --from ./filestore [--allow-existing]
//
// Safe to re-run after an interruption: what is already there (same id, same bytes) is skipped,
// files are written before their records, and every file is read back and compared by SHA-256.
// A target that holds records the source does not have is refused unless --allow-existing.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../graphql/config.ts';
import { EmbeddedRecordStore } from '../graphql/store/embedded/records.ts';
import { LocalBlobStore } from '../graphql/store/blobs/local.ts';
import { openStorage, type Storage } from '../graphql/store/open.ts';
import { isRefusal, type BlobStore, type QuotaLimits, type RecordStore } from '../graphql/store/ports.ts';
import type { CompressionRecord, ImageRecord, UserRecord } from '../graphql/store/records.ts';
import { MIME_TYPES } from '../graphql/shared/formats.ts';

/** The copy is not subject to quotas: the source already held these records. */
const NO_LIMITS: QuotaLimits = {
  quotaImages: Number.MAX_SAFE_INTEGER,
  quotaCompressionsPerImage: Number.MAX_SAFE_INTEGER,
  quotaFiles: Number.MAX_SAFE_INTEGER,
  quotaBytes: Number.MAX_SAFE_INTEGER,
};

export interface MigrationReport {
  users: { copied: number; present: number };
  images: { copied: number; present: number };
  compressions: { copied: number; present: number };
  files: { copied: number; present: number; bytes: number };
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

interface Source {
  records: EmbeddedRecordStore;
  blobs: LocalBlobStore;
}

export async function migrateStore(
  sourceDir: string,
  target: Storage,
  options: { allowExisting: boolean; logger: Logger },
): Promise<MigrationReport> {
  const source: Source = { records: await EmbeddedRecordStore.open(sourceDir, { lockWaitMs: 0 }), blobs: new LocalBlobStore(sourceDir) };
  try {
    if (source.records.isNew) throw new MigrationError(`${resolve(sourceDir)} holds no Pixpress database (db.json); nothing to move`);
    const users = await source.records.allUsers();
    await refuseForeignData(target.records, users, options.allowExisting);
    const sameFiles = target.blobs instanceof LocalBlobStore && target.blobs.root === source.blobs.root;
    const report: MigrationReport = {
      users: { copied: 0, present: 0 },
      images: { copied: 0, present: 0 },
      compressions: { copied: 0, present: 0 },
      files: { copied: 0, present: 0, bytes: 0 },
    };
    for (const user of users) {
      const existing = await target.records.getUser(user.id);
      if (existing) {
        if (existing.usernameKey !== user.usernameKey)
          throw new MigrationError(`user id ${user.id} is ${existing.username} in the target but ${user.username} in the source`);
        report.users.present += 1;
      } else {
        if (!(await target.records.insertUser(user)))
          throw new MigrationError(`the target already has another user named ${user.username}`);
        report.users.copied += 1;
      }
      for (const image of await imagesOf(source.records, user.id)) {
        const renditions: Array<[string, string]> = image.displayFile ? [[image.displayFile, MIME_TYPES.WEBP]] : [];
        await copyFiles(
          source.blobs,
          target.blobs,
          [[image.file, image.mimeType], [image.thumbnailFile, MIME_TYPES.WEBP], ...renditions],
          sameFiles,
          report,
        );
        if (await target.records.getImage(user.id, image.id)) {
          report.images.present += 1;
        } else {
          const slot = await target.records.reserveImage(user.id, NO_LIMITS);
          if (isRefusal(slot)) throw new MigrationError(`the target refused image ${image.id}`);
          await slot.commit(image);
          report.images.copied += 1;
        }
        const compressions = (await source.records.listCompressions([image.id])).get(image.id) ?? [];
        for (const compression of compressions) await copyCompression(source, target, compression, sameFiles, report);
      }
      await copySharesAndPresets(source.records, target.records, user);
      options.logger.info({ username: user.username, report }, 'user moved');
    }
    await verifyCounts(source.records, target.records, users);
    return report;
  } finally {
    await source.records.close();
  }
}

/**
 * Share links and presets, after the files they name. A link's URL is derived from the server's
 * secret, so links keep working only where the target runs with the same secret.
 */
async function copySharesAndPresets(source: RecordStore, target: RecordStore, user: UserRecord): Promise<void> {
  const present = new Set((await target.listShareLinks(user.id)).map((link) => link.id));
  const links = (await source.listShareLinks(user.id)).filter((link) => !present.has(link.id));
  if (links.length > 0 && (await target.insertShareLinks(user.id, links, Number.MAX_SAFE_INTEGER)) !== true) {
    throw new MigrationError(`the target refused the share links of ${user.username}`);
  }
  for (const preset of await source.listPresets(user.id)) await target.savePreset(preset, Number.MAX_SAFE_INTEGER);
}

async function copyCompression(
  source: Source,
  target: Storage,
  compression: CompressionRecord,
  sameFiles: boolean,
  report: MigrationReport,
): Promise<void> {
  await copyFiles(source.blobs, target.blobs, [[compression.file, compression.mimeType]], sameFiles, report);
  if (await target.records.getCompression(compression.userId, compression.id)) {
    report.compressions.present += 1;
    return;
  }
  const slot = await target.records.reserveCompression(compression.userId, compression.imageId, NO_LIMITS);
  if (isRefusal(slot) || !(await slot.commit(compression))) throw new MigrationError(`the target refused compression ${compression.id}`);
  report.compressions.copied += 1;
}

/** Copies each file unless the target has the same bytes; every copy is read back and compared. */
async function copyFiles(
  from: BlobStore,
  to: BlobStore,
  files: Array<[key: string, contentType: string]>,
  sameFiles: boolean,
  report: MigrationReport,
): Promise<void> {
  for (const [key, contentType] of files) {
    const bytes = await from.read(key).catch(() => {
      throw new MigrationError(
        `the source names ${key} but the file is missing; start Pixpress on the source once (its sweep repairs this) and re-run`,
      );
    });
    const digest = sha256(bytes);
    report.files.bytes += bytes.length;
    const there = await to.read(key).catch(() => null);
    if (there && sha256(there) === digest) {
      report.files.present += 1;
      continue;
    }
    if (sameFiles) throw new MigrationError(`${key} changed while it was being moved`);
    await to.put(key, bytes, contentType);
    if (sha256(await to.read(key)) !== digest) throw new MigrationError(`${key} did not arrive intact in the target`);
    report.files.copied += 1;
  }
}

async function refuseForeignData(target: RecordStore, users: UserRecord[], allowExisting: boolean): Promise<void> {
  if (allowExisting) return;
  const counts = await target.counts();
  if (counts.users === 0) return;
  const known = new Set(users.map((user) => user.id));
  let foreign = 0;
  for await (const page of target.storedFiles()) foreign += page.filter((image) => !known.has(image.userId)).length;
  let present = 0;
  for (const user of users) if (await target.getUser(user.id)) present += 1;
  if (present < counts.users || foreign > 0) {
    throw new MigrationError(
      `the target already holds ${counts.users - present} user(s) and ${foreign} image(s) that are not from this source; ` +
        'pass --allow-existing to merge into it anyway',
    );
  }
}

async function verifyCounts(source: EmbeddedRecordStore, target: RecordStore, users: UserRecord[]): Promise<void> {
  const ids = users.map((user) => user.id);
  const [before, after] = await Promise.all([source.usage(ids), target.usage(ids)]);
  for (const user of users) {
    const expected = before.get(user.id);
    const found = after.get(user.id);
    if (JSON.stringify(expected) !== JSON.stringify(found)) {
      throw new MigrationError(`${user.username}: the source has ${JSON.stringify(expected)}, the target ${JSON.stringify(found)}`);
    }
  }
}

async function imagesOf(records: RecordStore, userId: string): Promise<ImageRecord[]> {
  const images: ImageRecord[] = [];
  let after: string | null = null;
  do {
    const page = await records.queryImages(userId, { first: 100, after, orderBy: 'OLDEST', search: null, tag: null });
    images.push(...page.edges.map((edge) => edge.node));
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return images;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, 'allow-existing': { type: 'boolean', default: false } } });
  if (!values.from) {
    console.error('usage: npm run migrate-store -- --from <embedded DATA_DIR> [--allow-existing]');
    process.exit(2);
  }
  const config: Config = loadConfig(process.env);
  if (!config.databaseUrl) {
    console.error('migrate-store: DATABASE_URL is unset; it names the Postgres database to move into');
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel === 'silent' ? 'silent' : 'info' });
  const target = await openStorage(config, logger);
  try {
    const started = performance.now();
    const report = await migrateStore(values.from, target, { allowExisting: values['allow-existing'] ?? false, logger });
    logger.info({ report, seconds: Math.round((performance.now() - started) / 100) / 10 }, 'migration finished and verified');
  } finally {
    await Promise.allSettled([target.records.close(), target.blobs.close()]);
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`migrate-store: ${(error as Error).message}`);
    process.exit(1);
  });
}
