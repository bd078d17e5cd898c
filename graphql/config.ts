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
  /** Share links one user may hold (expired ones do not count). */
  quotaShareLinks: number;
  /** Compression presets one user may save. */
  quotaPresets: number;
  seedUser: SeedUser | null;
  bcryptCost: number;
  /**
   * Which peers are reverse proxies whose X-Forwarded-For / X-Forwarded-Proto we believe: none
   * (false), the nearest N hops, or a list of addresses and subnets (proxy-addr's syntax).
   */
  trustProxy: TrustProxy;
  /** Host header values this server answers to (lower case, with or without a port). */
  allowedHosts: string[];
  /** The public origin (PUBLIC_URL), when the operator gave one. */
  publicUrl: string | null;
  signUp: SignUpSettings;
  /** Password hashes computed at once (worker threads) and waiting; more are refused with 429. */
  passwordWorkers: number;
  passwordQueueSize: number;
  /** Login attempts one address may make in LOGIN_WINDOW, whatever the usernames. */
  loginAttemptsPerAddress: number;
  /** Node's headersTimeout / requestTimeout, and the longer time a multipart upload may take. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  uploadTimeoutMs: number;
  /** Open connections one client address may hold (0: no cap, e.g. behind a proxy that caps). */
  connectionsPerAddress: number;
  /** API and page requests one client address may have in flight (0: no cap). */
  requestsInFlightPerAddress: number;
  /** Image jobs one user may have running, and waiting, at once. */
  imageJobsRunningPerUser: number;
  imageJobsWaitingPerUser: number;
  /** Time limit of a preview job (previewCompression), shorter than imageJobTimeoutMs. */
  previewTimeoutMs: number;
  /** Megapixels of decoding one user may spend per minute. */
  decodeMegapixelsPerMinute: number;
  /** Below this many free bytes on the data folder's disk, writes are refused. */
  minFreeDiskBytes: number;
  /** Serve GraphiQL on GET /graphql (default: on outside production). */
  graphiql: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** sharp pipelines that may run at once, and how many may wait behind them. */
  imageConcurrency: number;
  imageQueueSize: number;
  imageJobTimeoutMs: number;
  /** On SIGTERM, how long requests in flight may take to finish before their connections are cut. */
  shutdownTimeoutMs: number;
  /** Postgres for records when set; otherwise the embedded lowdb document in dataDir. */
  databaseUrl: string | null;
  /** With Postgres: connections per instance (several instances share the server's max_connections). */
  postgresPoolSize: number;
  /** With Postgres: a statement running (or waiting for a lock) longer than this is cancelled. */
  postgresStatementTimeoutMs: number;
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
  /**
   * Where browsers reach the bucket, when not at `endpoint` (which may be a name only the
   * instances resolve, such as http://minio:9000): presigned URLs are signed for this host.
   */
  publicEndpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** bucket in the path (MinIO and most self-hosted stores) rather than in the host name. */
  forcePathStyle: boolean;
}

export type TrustProxy = false | { hops: number } | { addresses: string[] };

export interface SignUpSettings {
  /** 'closed': nobody may sign up (the operator creates accounts with SEED_USER or not at all). */
  mode: 'open' | 'closed';
  /** Accounts one address may create per hour. */
  perAddressPerHour: number;
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

/**
 * TRUST_PROXY: false (default), a hop count (how many proxies stand in front of us; `true` means
 * one), or a comma-separated list of proxy addresses or subnets (`10.0.0.0/8`, `loopback`).
 * X-Forwarded-For is then read from the right, skipping only trusted proxies, so an entry a
 * client wrote itself never counts.
 */
function readTrustProxy(env: Env): TrustProxy {
  const raw = env.TRUST_PROXY?.trim() ?? '';
  const lower = raw.toLowerCase();
  if (['', 'false', 'no', '0'].includes(lower)) return false;
  if (['true', 'yes'].includes(lower)) return { hops: 1 };
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10)
      throw new ConfigError('TRUST_PROXY', `must be a hop count from 0 to 10, a list of proxy addresses, or false; got ${raw}`);
    return { hops };
  }
  const addresses = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const keyword = /^(loopback|linklocal|uniquelocal)$/;
  const address = /^(?:[0-9.]+|[0-9a-f:.]+)(?:\/\d{1,3})?$/i;
  const bad = addresses.find((entry) => !keyword.test(entry) && !address.test(entry));
  if (bad !== undefined) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be a hop count, a comma-separated list of proxy addresses or subnets, or false; "${bad}" is neither`,
    );
  }
  return { addresses };
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

function readPublicUrl(env: Env): string | null {
  const raw = env.PUBLIC_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an absolute http(s) URL such as https://pix.example.com, got "${raw}"`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username ||
    url.password ||
    url.pathname !== '/' ||
    url.search ||
    url.hash
  ) {
    throw new ConfigError('PUBLIC_URL', `must be an origin (scheme, host and optional port, nothing else), got "${raw}"`);
  }
  return url.origin;
}

/** The Host values we answer to: PUBLIC_URL's, ALLOWED_HOSTS, and the loopback names. */
function readAllowedHosts(env: Env, publicUrl: string | null): string[] {
  const hosts = new Set(LOOPBACK_HOSTS);
  if (publicUrl) hosts.add(new URL(publicUrl).host);
  for (const entry of (env.ALLOWED_HOSTS ?? '').split(',')) {
    const host = entry.trim().toLowerCase();
    if (!host) continue;
    if (!/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/.test(host)) {
      throw new ConfigError(
        'ALLOWED_HOSTS',
        `must be a comma-separated list of host names (optionally with a port), got "${entry.trim()}"`,
      );
    }
    hosts.add(host);
  }
  return [...hosts];
}

function readSignUp(env: Env): SignUpSettings {
  const mode = (env.SIGNUP?.trim().toLowerCase() || 'open') as SignUpSettings['mode'];
  if (mode !== 'open' && mode !== 'closed') throw new ConfigError('SIGNUP', `must be open or closed, got "${env.SIGNUP}"`);
  return { mode, perAddressPerHour: readInt(env, 'SIGNUPS_PER_ADDRESS_PER_HOUR', 20, 1, 100_000) };
}

/** Node refuses a headers timeout longer than the request timeout; so do we, by name. */
function readTimeouts(env: Env): Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs' | 'uploadTimeoutMs'> {
  const headersTimeoutMs = readInt(env, 'HEADERS_TIMEOUT_MS', 10_000, 1000, 600_000);
  const requestTimeoutMs = readInt(env, 'REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000);
  const uploadTimeoutMs = readInt(env, 'UPLOAD_TIMEOUT_MS', 300_000, 1000, 3_600_000);
  if (requestTimeoutMs < headersTimeoutMs)
    throw new ConfigError('REQUEST_TIMEOUT_MS', `must be at least HEADERS_TIMEOUT_MS (${headersTimeoutMs})`);
  if (uploadTimeoutMs < requestTimeoutMs)
    throw new ConfigError('UPLOAD_TIMEOUT_MS', `must be at least REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  return { headersTimeoutMs, requestTimeoutMs, uploadTimeoutMs };
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

function readEndpoint(name: string, raw: string | undefined): string | null {
  const endpoint = raw?.trim() || null;
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new ConfigError(name, `is not a URL: "${endpoint}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be an http:// or https:// URL');
  }
  return endpoint;
}

/** The bucket settings, all or nothing: S3_* without S3_BUCKET is a mistake, not a choice. */
function readS3(env: Env): S3Config | null {
  const bucket = env.S3_BUCKET?.trim();
  const others = ['S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE'].filter((name) =>
    env[name]?.trim(),
  );
  if (!bucket) {
    if (others.length > 0)
      throw new ConfigError('S3_BUCKET', `is unset but ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'}: set it to use a bucket`);
    return null;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError('S3_BUCKET', `is not a valid bucket name: "${bucket}"`);
  const endpoint = readEndpoint('S3_ENDPOINT', env.S3_ENDPOINT);
  const accessKeyId = env.S3_ACCESS_KEY_ID?.trim() || null;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY?.trim() || null;
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new ConfigError(accessKeyId ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID', 'must be set together with the other S3 key variable');
  }
  return {
    bucket,
    endpoint,
    publicEndpoint: readEndpoint('S3_PUBLIC_ENDPOINT', env.S3_PUBLIC_ENDPOINT),
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
  if (fileUrls !== 'presigned' && fileUrls !== 'proxy')
    throw new ConfigError('FILE_URLS', `must be presigned or proxy, got "${env.FILE_URLS}"`);
  if (fileUrls === 'presigned' && !s3)
    throw new ConfigError('FILE_URLS', 'is presigned, which needs a bucket (S3_BUCKET); use proxy for files on local disk');

  const cores = availableParallelism();
  const imageConcurrency = readInt(env, 'IMAGE_CONCURRENCY', cores, 1, 256);
  const publicUrl = readPublicUrl(env);
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
    // Constants, not variables: every variable needs its row in the README's configuration
    // table (graphql/tests/readme.test.ts), which is not this feature's to edit.
    quotaShareLinks: 1000,
    quotaPresets: 50,
    seedUser: readSeedUser(env, production),
    bcryptCost: readInt(env, 'BCRYPT_COST', 10, 10, 15),
    trustProxy: readTrustProxy(env),
    publicUrl,
    allowedHosts: readAllowedHosts(env, publicUrl),
    signUp: readSignUp(env),
    passwordWorkers: readInt(env, 'PASSWORD_WORKERS', Math.max(1, Math.floor(cores / 2)), 1, 64),
    passwordQueueSize: readInt(env, 'PASSWORD_QUEUE_SIZE', 8, 0, 10_000),
    loginAttemptsPerAddress: readInt(env, 'LOGIN_ATTEMPTS_PER_ADDRESS', 30, 1, 1_000_000),
    ...readTimeouts(env),
    connectionsPerAddress: readInt(env, 'CONNECTIONS_PER_ADDRESS', 64, 0, 100_000),
    requestsInFlightPerAddress: readInt(env, 'REQUESTS_IN_FLIGHT_PER_ADDRESS', 24, 0, 100_000),
    imageJobsRunningPerUser: readInt(env, 'IMAGE_JOBS_RUNNING_PER_USER', Math.max(1, Math.ceil(imageConcurrency / 2)), 1, 256),
    imageJobsWaitingPerUser: readInt(env, 'IMAGE_JOBS_WAITING_PER_USER', 16, 0, 100_000),
    previewTimeoutMs: readInt(env, 'PREVIEW_TIMEOUT_MS', 10_000, 100, 3_600_000),
    decodeMegapixelsPerMinute: readInt(env, 'DECODE_MEGAPIXELS_PER_MINUTE', 600, 1, 1_000_000),
    minFreeDiskBytes: readInt(env, 'MIN_FREE_DISK_BYTES', 512 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    graphiql: readBool(env, 'GRAPHIQL', !production),
    logLevel,
    imageConcurrency,
    imageQueueSize: readInt(env, 'IMAGE_QUEUE_SIZE', 64, 0, 100_000),
    imageJobTimeoutMs: readInt(env, 'IMAGE_JOB_TIMEOUT_MS', 60_000, 100, 3_600_000),
    shutdownTimeoutMs: readInt(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    databaseUrl,
    // At least 2: with one connection every request waits behind the slowest statement.
    postgresPoolSize: readInt(env, 'PG_POOL_SIZE', 10, 2, 500),
    // 0 would mean no limit at all in Postgres; under a second, ordinary writes waiting for a
    // user's row lock under load would be cancelled.
    postgresStatementTimeoutMs: readInt(env, 'PG_STATEMENT_TIMEOUT_MS', 15_000, 1000, 600_000),
    s3,
    fileUrls,
    reservationTtlSeconds: readInt(env, 'RESERVATION_TTL_SECONDS', 60, 3, 3600),
  };
}
