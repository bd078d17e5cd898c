import { mkdtemp, readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'pixpress-config-'));

describe('loadConfig', () => {
  it('uses the documented defaults', async () => {
    const dir = await tempDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({
      port: 4321,
      host: '127.0.0.1',
      dataDir: dir,
      tokenTtlSeconds: 86_400,
      urlTtlSeconds: 300,
      maxUploadBytes: 26_214_400,
      maxInputPixels: 50_000_000,
      quotaImages: 10,
      quotaCompressionsPerImage: 10,
      quotaFiles: 110,
      seedUser: { username: 'Picky', password: 'test' },
      production: false,
    });
  });

  it('defaults DATA_DIR to ./filestore under the working directory', async () => {
    const cwd = await tempDir();
    expect(loadConfig({}, cwd).dataDir).toBe(join(cwd, 'filestore'));
  });

  it('generates a secret on first start, keeps it with mode 0600 and reuses it', async () => {
    const dir = await tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const info = await stat(join(dir, 'jwt-secret'));
    expect(info.mode & 0o777).toBe(0o600);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(loadConfig({ DATA_DIR: dir }).secret)).toEqual(Buffer.from(first.secret));
    expect(Buffer.from(await readFile(join(dir, 'jwt-secret')))).toEqual(Buffer.from(first.secret));
  });

  it('refuses a stored secret that others can read', async () => {
    const dir = await tempDir();
    loadConfig({ DATA_DIR: dir });
    await chmod(join(dir, 'jwt-secret'), 0o644);
    expect(() => loadConfig({ DATA_DIR: dir })).toThrow(/chmod 600/);
  });

  it('refuses a JWT_SECRET shorter than 32 bytes, naming the variable', async () => {
    const dir = await tempDir();
    expect(() => loadConfig({ DATA_DIR: dir, JWT_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dir, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32 bytes \(got 5\)/);
    const config = loadConfig({ DATA_DIR: dir, JWT_SECRET: 'x'.repeat(32) });
    expect(new TextDecoder().decode(config.secret)).toBe('x'.repeat(32));
  });

  it('reads the Postgres pool size and statement timeout, refusing values that would leave no pool or no limit', async () => {
    const dir = await tempDir();
    expect(loadConfig({ DATA_DIR: dir })).toMatchObject({ postgresPoolSize: 10, postgresStatementTimeoutMs: 15_000 });
    expect(loadConfig({ DATA_DIR: dir, PG_POOL_SIZE: '25', PG_STATEMENT_TIMEOUT_MS: '4000' })).toMatchObject({
      postgresPoolSize: 25,
      postgresStatementTimeoutMs: 4000,
    });
    const refused: Array<[string, string, RegExp]> = [
      ['PG_POOL_SIZE', '0', /PG_POOL_SIZE must be between 2 and 500, got 0/],
      ['PG_POOL_SIZE', '1', /PG_POOL_SIZE must be between 2 and 500/],
      ['PG_POOL_SIZE', 'ten', /PG_POOL_SIZE must be a whole number, got "ten"/],
      ['PG_POOL_SIZE', '-5', /PG_POOL_SIZE must be a whole number/],
      ['PG_POOL_SIZE', '100000', /PG_POOL_SIZE must be between 2 and 500/],
      ['PG_STATEMENT_TIMEOUT_MS', '0', /PG_STATEMENT_TIMEOUT_MS must be between 1000 and 600000, got 0/],
      ['PG_STATEMENT_TIMEOUT_MS', '15s', /PG_STATEMENT_TIMEOUT_MS must be a whole number/],
      ['PG_STATEMENT_TIMEOUT_MS', '1.5', /PG_STATEMENT_TIMEOUT_MS must be a whole number/],
      ['PG_STATEMENT_TIMEOUT_MS', '99999999999', /PG_STATEMENT_TIMEOUT_MS must be between 1000 and 600000/],
    ];
    for (const [name, value, message] of refused) {
      expect(() => loadConfig({ DATA_DIR: dir, [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dir, [name]: value }), `${name}=${value}`).toThrow(message);
    }
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['QUOTA_IMAGES', '-1', /QUOTA_IMAGES must be a whole number/],
    ['MAX_UPLOAD_BYTES', '1.5', /MAX_UPLOAD_BYTES must be a whole number/],
    ['URL_TTL_SECONDS', '1', /URL_TTL_SECONDS must be between 10/],
    ['SEED_USER', 'nopassword', /SEED_USER must look like "username:password"/],
    ['TRUST_PROXY', 'maybe', /TRUST_PROXY must be a hop count.*"maybe" is neither/],
    ['TRUST_PROXY', '11', /TRUST_PROXY must be a hop count from 0 to 10/],
    ['PUBLIC_URL', 'pix.example.com', /PUBLIC_URL must be an absolute http\(s\) URL/],
    ['PUBLIC_URL', 'https://pix.example.com/app', /PUBLIC_URL must be an origin/],
    ['ALLOWED_HOSTS', 'evil.example/x', /ALLOWED_HOSTS must be a comma-separated list of host names/],
    ['SIGNUP', 'invite', /SIGNUP must be open or closed/],
    ['SIGNUPS_PER_ADDRESS_PER_HOUR', '0', /SIGNUPS_PER_ADDRESS_PER_HOUR must be between 1/],
    ['GRAPHIQL', 'sometimes', /GRAPHIQL must be true or false/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
  ])('refuses %s=%s with a clear message', async (name, value, message) => {
    const dir = await tempDir();
    expect(() => loadConfig({ DATA_DIR: dir, [name]: value })).toThrow(message);
  });

  it('reads S3_PUBLIC_ENDPOINT for presigned URLs (default: none, so S3_ENDPOINT), validated like S3_ENDPOINT', async () => {
    const dir = await tempDir();
    const bucket = { DATA_DIR: dir, S3_BUCKET: 'pixpress', S3_ENDPOINT: 'http://minio:9000' };
    expect(loadConfig(bucket).s3).toMatchObject({ endpoint: 'http://minio:9000', publicEndpoint: null });
    expect(loadConfig({ ...bucket, S3_PUBLIC_ENDPOINT: ' https://files.example.com ' }).s3).toMatchObject({
      endpoint: 'http://minio:9000',
      publicEndpoint: 'https://files.example.com',
    });
    for (const name of ['S3_ENDPOINT', 'S3_PUBLIC_ENDPOINT']) {
      expect(() => loadConfig({ ...bucket, [name]: 'minio 9000' })).toThrow(new RegExp(`${name} is not a URL: "minio 9000"`));
      expect(() => loadConfig({ ...bucket, [name]: 'ftp://minio:21' })).toThrow(new RegExp(`${name} must be an http:// or https:// URL`));
    }
    expect(() => loadConfig({ DATA_DIR: dir, S3_PUBLIC_ENDPOINT: 'https://files.example.com' })).toThrow(
      /S3_BUCKET is unset but S3_PUBLIC_ENDPOINT is/,
    );
  });

  it('reads numbers, the seeded user and an empty SEED_USER', async () => {
    const dir = await tempDir();
    const config = loadConfig({ DATA_DIR: dir, PORT: '8080', QUOTA_IMAGES: '3', SEED_USER: 'alice:pa:ss' });
    expect(config.port).toBe(8080);
    expect(config.quotaImages).toBe(3);
    expect(config.seedUser).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(loadConfig({ DATA_DIR: dir, SEED_USER: '' }).seedUser).toBeNull();
  });

  it('reads TRUST_PROXY as off, a hop count or a list of proxy addresses', async () => {
    const dir = await tempDir();
    expect(loadConfig({ DATA_DIR: dir }).trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: 'true' }).trustProxy).toEqual({ hops: 1 });
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: '2' }).trustProxy).toEqual({ hops: 2 });
    expect(loadConfig({ DATA_DIR: dir, TRUST_PROXY: '10.0.0.5, 172.16.0.0/12,loopback' }).trustProxy).toEqual({
      addresses: ['10.0.0.5', '172.16.0.0/12', 'loopback'],
    });
  });

  it('answers to the loopback names unless PUBLIC_URL / ALLOWED_HOSTS add more', async () => {
    const dir = await tempDir();
    expect(loadConfig({ DATA_DIR: dir }).allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    const config = loadConfig({ DATA_DIR: dir, PUBLIC_URL: 'https://Pix.Example.com', ALLOWED_HOSTS: 'pix.internal:8080' });
    expect(config.publicUrl).toBe('https://pix.example.com');
    expect(config.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]', 'pix.example.com', 'pix.internal:8080']);
  });

  it('keeps GraphiQL off in production unless GRAPHIQL=true', async () => {
    const dir = await tempDir();
    expect(loadConfig({ DATA_DIR: dir }).graphiql).toBe(true);
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production' }).graphiql).toBe(false);
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production', GRAPHIQL: 'true' }).graphiql).toBe(true);
  });

  it('seeds nobody in production unless SEED_USER says so', async () => {
    const dir = await tempDir();
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production' }).seedUser).toBeNull();
    expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'production', SEED_USER: 'Picky:test' }).seedUser).toEqual({
      username: 'Picky',
      password: 'test',
    });
  });

  it('refuses a DATA_DIR that cannot be created', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), '');
    expect(() => loadConfig({ DATA_DIR: join(dir, 'a-file', 'sub') })).toThrow(/DATA_DIR .* cannot be created/);
  });
});
