// The only module that reads the environment. Everything else receives a Config.
// It refuses to start on unsafe or malformed values, naming the variable at fault.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

export interface SeedUser {
  username: string;
  password: string;
}

export interface Config {
  port: number;
  host: string;
  /** Absolute path of the data folder: db.json, the secret and the files. */
  dataDir: string;
  production: boolean;
  /** Raw secret bytes; signing keys for tokens and file URLs are derived from it. */
  secret: Uint8Array;
  tokenTtlSeconds: number;
  urlTtlSeconds: number;
  maxUploadBytes: number;
  maxInputPixels: number;
  quotaImages: number;
  quotaCompressionsPerImage: number;
  quotaFiles: number;
  /** Bytes of originals plus compressions per user. */
  quotaBytes: number;
  seedUser: SeedUser | null;
  bcryptCost: number;
  /** Trust X-Forwarded-Proto / X-Forwarded-For from a reverse proxy in front of us. */
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** sharp pipelines that may run at once, and how many may wait behind them. */
  imageConcurrency: number;
  imageQueueSize: number;
  imageJobTimeoutMs: number;
  /** On SIGTERM, how long requests in flight may take to finish before their connections are cut. */
  shutdownTimeoutMs: number;
  /** Postgres for records when set; otherwise the embedded lowdb document in dataDir. */
  databaseUrl: string | null;
  /** An S3-compatible bucket for files when set; otherwise the local folder dataDir. */
  s3: S3Config | null;
  /** How browsers fetch files: presigned bucket URLs, or the app's signed /files/ URLs (always so without S3). */
  fileUrls: 'presigned' | 'proxy';
  /**
   * With Postgres: how long a quota slot held by an instance that died stays taken. Live instances
   * renew theirs, so this bounds only what a crash can leak.
   */
  reservationTtlSeconds: number;
}

export interface S3Config {
  bucket: string;
  /** Unset for AWS itself; the URL of MinIO, Garage, Ceph… otherwise. */
  endpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** bucket in the path (MinIO and most self-hosted stores) rather than in the host name. */
  forcePathStyle: boolean;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const MIN_SECRET_BYTES = 32;
const SECRET_FILE = 'jwt-secret';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

/** The demo user Picky / test by default; in production only when SEED_USER names one. */
function readSeedUser(env: Env, production: boolean): SeedUser | null {
  const raw = env.SEED_USER;
  if (raw === undefined) return production ? null : { username: 'Picky', password: 'test' };
  if (raw === '') return null;
  const colon = raw.indexOf(':');
  if (colon <= 0 || colon === raw.length - 1) {
    throw new ConfigError('SEED_USER', 'must look like "username:password" (or be empty for no seeded user)');
  }
  return { username: raw.slice(0, colon), password: raw.slice(colon + 1) };
}

/**
 * The secret comes from JWT_SECRET or, when that is unset, from DATA_DIR/jwt-secret, which is
 * created with mode 0600 on first start so that tokens and signed URLs survive restarts.
 */
function readSecret(env: Env, dataDir: string): Uint8Array {
  const raw = env.JWT_SECRET;
  if (raw !== undefined && raw !== '') {
    const bytes = new TextEncoder().encode(raw);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new ConfigError(
        'JWT_SECRET',
        `must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes.length}); generate one with: openssl rand -base64 48`,
      );
    }
    return bytes;
  }
  const file = resolve(dataDir, SECRET_FILE);
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ConfigError('JWT_SECRET', `is unset and ${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
    }
    const stored = readFileSync(file);
    if (stored.length < MIN_SECRET_BYTES) throw new ConfigError('JWT_SECRET', `is unset and ${file} is too short`);
    return new Uint8Array(stored);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generated = randomBytes(48);
  writeFileSync(file, generated, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return new Uint8Array(generated);
}

function readDatabaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL; expected postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must be a postgres:// URL, got ${url.protocol}//…`);
  }
  return raw;
}

/** The bucket settings, all or nothing: S3_* without S3_BUCKET is a mistake, not a choice. */
function readS3(env: Env): S3Config | null {
  const bucket = env.S3_BUCKET?.trim();
  const others = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE'].filter((name) => env[name]?.trim());
  if (!bucket) {
    if (others.length > 0) throw new ConfigError('S3_BUCKET', `is unset but ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'}: set it to use a bucket`);
    return null;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError('S3_BUCKET', `is not a valid bucket name: "${bucket}"`);
  const endpoint = env.S3_ENDPOINT?.trim() || null;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ConfigError('S3_ENDPOINT', `is not a URL: "${endpoint}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('S3_ENDPOINT', 'must be an http:// or https:// URL');
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID?.trim() || null;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY?.trim() || null;
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new ConfigError(accessKeyId ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID', 'must be set together with the other S3 key variable');
  }
  return {
    bucket,
    endpoint,
    region: env.S3_REGION?.trim() || 'us-east-1',
    accessKeyId,
    secretAccessKey,
    forcePathStyle: readBool(env, 'S3_FORCE_PATH_STYLE', endpoint !== null),
  };
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const production = env.NODE_ENV === 'production';
  const dataDir = resolve(cwd, env.DATA_DIR?.trim() || './filestore');
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw new ConfigError('DATA_DIR', `(${dataDir}) cannot be created: ${(error as Error).message}`);
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  const logLevel = (env.LOG_LEVEL?.trim() || (env.NODE_ENV === 'test' ? 'silent' : 'info')) as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const quotaImages = readInt(env, 'QUOTA_IMAGES', 10, 0, 1_000_000);
  const quotaCompressionsPerImage = readInt(env, 'QUOTA_COMPRESSIONS_PER_IMAGE', 10, 0, 1_000_000);
  const quotaFiles = readInt(env, 'QUOTA_FILES', 110, 0, 10_000_000);
  const quotaBytes = readInt(env, 'QUOTA_BYTES', 1_073_741_824, 0, Number.MAX_SAFE_INTEGER);

  const databaseUrl = readDatabaseUrl(env);
  const s3 = readS3(env);
  const fileUrls = (env.FILE_URLS?.trim() || (s3 ? 'presigned' : 'proxy')) as Config['fileUrls'];
  if (fileUrls !== 'presigned' && fileUrls !== 'proxy') throw new ConfigError('FILE_URLS', `must be presigned or proxy, got "${env.FILE_URLS}"`);
  if (fileUrls === 'presigned' && !s3) throw new ConfigError('FILE_URLS', 'is presigned, which needs a bucket (S3_BUCKET); use proxy for files on local disk');

  const cores = availableParallelism();
  return {
    port: readInt(env, 'PORT', 4321, 0, 65535),
    host,
    dataDir,
    production,
    secret: readSecret(env, dataDir),
    tokenTtlSeconds: readInt(env, 'TOKEN_TTL_SECONDS', 86_400, 60, 31_536_000),
    urlTtlSeconds: readInt(env, 'URL_TTL_SECONDS', 300, 10, 604_800),
    maxUploadBytes: readInt(env, 'MAX_UPLOAD_BYTES', 26_214_400, 1024, 1_073_741_824),
    maxInputPixels: readInt(env, 'MAX_INPUT_PIXELS', 50_000_000, 1, 1_000_000_000),
    quotaImages,
    quotaCompressionsPerImage,
    quotaFiles,
    quotaBytes,
    seedUser: readSeedUser(env, production),
    bcryptCost: readInt(env, 'BCRYPT_COST', 10, 10, 15),
    trustProxy: readBool(env, 'TRUST_PROXY', false),
    logLevel,
    imageConcurrency: readInt(env, 'IMAGE_CONCURRENCY', cores, 1, 256),
    imageQueueSize: readInt(env, 'IMAGE_QUEUE_SIZE', 64, 0, 100_000),
    imageJobTimeoutMs: readInt(env, 'IMAGE_JOB_TIMEOUT_MS', 60_000, 100, 3_600_000),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    databaseUrl,
    s3,
    fileUrls,
    reservationTtlSeconds: readInt(env, 'RESERVATION_TTL_SECONDS', 60, 3, 3600),
  };
}
