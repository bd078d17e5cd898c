// The container files, checked by reading them: the facts a reviewer would check by eye, plus the
// ones that break silently (a COPY that misses a module server.ts imports, an npm script that does
// not exist, a compose default that drifted from graphql/config.ts, an nginx upstream that misses
// an instance). CI also builds and runs the image for real with Docker (scripts/container-check.sh,
// after the test suite in .ci/run): health check, an upload, a clean stop, a restart on the same
// volume, and `docker-compose config` on every compose file.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

interface Stage {
  from: string;
  name: string | null;
  instructions: Array<{ keyword: string; args: string }>;
}

/** Dockerfile instructions by stage, with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword || rest === undefined) continue;
    const upper = keyword.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name, value] = rest.split('=');
      args[name!] = value ?? '';
    } else if (upper === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest)!;
      const resolved = image!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? '');
      stages.push({ from: resolved, name: name ?? null, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args: rest });
    }
  }
  return { args, stages };
}

/** Every repository file server.ts loads at run time, following relative imports. */
function runtimeModules(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+['"](\.[^'"]+)['"]/gm),
      ...source.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm),
      ...source.matchAll(/new URL\(\s*['"](\.[^'"]+\.ts)['"],\s*import\.meta\.url\s*\)/g),
    ].map((match) => match[1]!);
    for (const specifier of specifiers) {
      const target = resolve(dirname(file), specifier);
      if (existsSync(target) && target.endsWith('.ts')) visit(target);
    }
  };
  visit(join(ROOT, entry));
  return [...seen].map((file) => relative(ROOT, file)).sort();
}

const envVariablesConfigReads = new Set(
  [
    ...read('graphql/config.ts').matchAll(/env(?:\.|\[\s*')([A-Z][A-Z0-9_]+)|readInt\(env, '([A-Z0-9_]+)'|readBool\(env, '([A-Z0-9_]+)'/g),
  ].map((match) => match[1] ?? match[2] ?? match[3]),
);

describe('Dockerfile', () => {
  const { stages } = parseDockerfile(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const runs = (stage: Stage) =>
    stage.instructions
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.args)
      .join('\n');
  const all = (stage: Stage, keyword: string) =>
    stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

  it('builds in stages on the official Node 24 slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages) expect(stage.from).toMatch(/^(node:24-slim|deps|build|prod-deps)$/);
    expect(runtime.from).toBe('node:24-slim');
  });

  it('installs from the lockfile, builds with the npm script CI runs, and keeps only production dependencies', () => {
    const everything = stages.map(runs).join('\n');
    expect(everything).toMatch(/\bnpm ci\b(?![^\n]*--omit=dev)/);
    expect(everything).toMatch(/\bnpm ci --omit=dev\b/);
    expect(everything).not.toMatch(/\bnpm install\b/);
    for (const [, script] of everything.matchAll(/\bnpm run (\S+)/g)) expect(Object.keys(packageJson.scripts)).toContain(script);
    expect(everything).toContain('npm run build');
    // The site is built in a stage that is not the runtime one.
    expect(runs(runtime)).not.toContain('npm run build');
    expect(all(runtime, 'COPY').join('\n')).toMatch(/--from=prod-deps \/app\/node_modules/);
  });

  it('copies every module server.ts loads, and the built site', () => {
    const copies = all(runtime, 'COPY').map((args) => args.split(/\s+/).filter((part) => !part.startsWith('--')));
    const sources = copies.flatMap((parts) => parts.slice(0, -1).map((source) => source.replace(/^\/app\//, '').replace(/^\.\//, '')));
    const covered = (file: string) => sources.some((source) => file === source || file.startsWith(`${source.replace(/\/$/, '')}/`));
    const modules = runtimeModules('server.ts');
    expect(modules).toContain('graphql/app.ts');
    expect(modules).toContain('graphql/imaging/queue.ts');
    for (const module of modules) expect(covered(module), `${module} is not copied into the runtime stage`).toBe(true);
    for (const needed of ['package.json', 'site/dist/server/entry.mjs', 'node_modules/sharp']) expect(covered(needed), needed).toBe(true);
    // And nothing that only builds or tests.
    for (const unwanted of ['site/src/pages/index.astro', 'package-lock.json', '.git/HEAD'])
      expect(covered(unwanted), unwanted).toBe(false);
  });

  it('runs as an unprivileged user with the data on a volume, listening on all interfaces', () => {
    const user = all(runtime, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    const env = all(runtime, 'ENV').join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(env).toMatch(/\bDATA_DIR=\/data\b/);
    expect(all(runtime, 'VOLUME').join(' ')).toMatch(/["[\s]*\/data\b/);
    expect(runs(runtime)).toMatch(/chown node:node \/data/);
    // Every setting the image passes is one config.ts reads (npm's and glibc's own aside).
    for (const [, name] of env.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)) {
      if (!name!.startsWith('NPM_CONFIG_') && name !== 'MALLOC_ARENA_MAX') expect(envVariablesConfigReads, name).toContain(name);
    }
  });

  it('exposes the default port, checks /healthz with node, and starts with the npm script CI runs', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pixpress-container-'));
    try {
      expect(all(runtime, 'EXPOSE')).toEqual([String(loadConfig({ DATA_DIR: dataDir }).port)]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    const healthcheck = all(runtime, 'HEALTHCHECK').join(' ');
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*\/healthz/);
    expect(healthcheck).not.toMatch(/curl|wget/);

    const cmd = JSON.parse(all(runtime, 'CMD')[0]!) as string[];
    expect(cmd.slice(0, 2)).toEqual(['npm', 'run']);
    // The script (scripts/serve.mjs, which runs server.ts) and its pre-script (npm runs it first)
    // each run one file: both must be in the image.
    const script = packageJson.scripts[cmd[2]!];
    expect(script).toBe('node scripts/serve.mjs');
    for (const command of [script, packageJson.scripts[`pre${cmd[2]!}`]].filter(Boolean)) {
      const file = /^node (\S+)$/.exec(command!)?.[1];
      expect(file, command).toBeDefined();
      expect(all(runtime, 'COPY').join('\n')).toContain(`/app/${file}`);
    }
    expect(read('scripts/serve.mjs')).toContain("'../server.ts'");
    // npm must hand SIGTERM to node itself, not to a dash that dies without passing it on.
    expect(all(runtime, 'ENV').join(' ')).toMatch(/NPM_CONFIG_SCRIPT_SHELL=\/bin\/bash/);
  });
});

describe('.dockerignore', () => {
  it('leaves out dependencies, data, build output and secrets', () => {
    const entries = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'site/dist', 'filestore', '.env', '.git']) expect(entries).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });
  const configFrom = (env: Record<string, string>): Omit<Config, 'secret' | 'dataDir'> => {
    const dir = mkdtempSync(join(tmpdir(), 'pixpress-compose-'));
    dataDirs.push(dir);
    const { secret: _secret, dataDir: _dataDir, ...rest } = loadConfig({ ...env, DATA_DIR: dir });
    return rest;
  };

  it('requires JWT_SECRET, keeps the data in a named volume, checks health and restarts', () => {
    expect(compose).toMatch(/^\s+JWT_SECRET: \$\{JWT_SECRET:\?[^}]+\}$/m);
    expect(compose).toMatch(/^\s+- pixpress-data:\/data$/m);
    expect(compose).toMatch(/^volumes:\n\s+pixpress-data:/m);
    expect(compose).toMatch(/^\s+restart: (unless-stopped|always|on-failure)/m);
    expect(compose).toMatch(/^\s+healthcheck:\n\s+test: .*\/healthz/m);
    expect(compose).toMatch(/^\s+- "\$\{PIXPRESS_PORT:-4321\}:4321"$/m);
    expect(compose).toMatch(/^\s+SEED_USER: /m);
  });

  it('gives every setting the same default as graphql/config.ts', () => {
    const settings = Object.fromEntries(
      [...compose.matchAll(/^\s+([A-Z][A-Z0-9_]+): \$\{\1:-([^}]*)\}$/gm)].map((match) => [match[1]!, match[2]!]),
    );
    for (const name of ['QUOTA_IMAGES', 'QUOTA_COMPRESSIONS_PER_IMAGE', 'QUOTA_FILES', 'MAX_UPLOAD_BYTES', 'MAX_INPUT_PIXELS']) {
      expect(settings, name).toHaveProperty(name);
    }
    for (const name of Object.keys(settings)) expect(envVariablesConfigReads, name).toContain(name);
    // The compose defaults describe the same server as no settings at all, in production.
    const production = { NODE_ENV: 'production' };
    expect(configFrom({ ...production, ...settings })).toEqual(configFrom(production));
  });
});

describe('docker-compose.scaled.yml and deploy/nginx.conf', () => {
  const compose = read('docker-compose.scaled.yml');
  const nginx = read('deploy/nginx.conf');

  /** Top-level services: name -> its lines (two-space indented keys under `services:`). */
  const services = new Map<string, string>();
  const body = /^services:\n([\s\S]*?)(?=^\S)/m.exec(compose)![1]!;
  for (const [, name, lines] of body.matchAll(/^ {2}([a-z0-9-]+):[^\n]*\n((?:(?: {4}.*| *#.*|)\n)*)/gm)) services.set(name!, lines!);
  const instances = [...services.keys()].filter((name) => /^pixpress-\d+$/.test(name));

  /** pixpress-1's environment with ${VAR:-default} as its default and ${VAR:?…} as `required(VAR)`. */
  const instanceEnv = (required: (name: string) => string): Record<string, string> => {
    const block = /^ {4}environment:\n((?: {6}.*\n| *#.*\n)+)/m.exec(services.get('pixpress-1') ?? '')?.[1] ?? '';
    const env: Record<string, string> = {};
    for (const [, name, raw] of block.matchAll(/^ {6}([A-Z][A-Z0-9_]+): (.*)$/gm)) {
      env[name!] = raw!
        .replace(/^"(.*)"$/, '$1')
        .replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback)
        .replace(/\$\{(\w+):\?[^}]*\}/g, (_, variable: string) => required(variable));
    }
    return env;
  };

  it('runs Postgres, MinIO with a one-shot bucket job, two or more instances of this image, and nginx in front', () => {
    for (const name of ['postgres', 'minio', 'create-bucket', 'nginx']) expect([...services.keys()], name).toContain(name);
    expect(services.get('postgres')).toMatch(/^ {4}image: postgres:16$/m);
    expect(services.get('minio')).toMatch(/^ {4}image: minio\/minio\b/m);
    expect(services.get('create-bucket')).toMatch(/mc mb --ignore-existing/);
    expect(services.get('create-bucket')).toMatch(/^ {4}restart: "no"$/m);
    expect(instances.length).toBeGreaterThanOrEqual(2);
    // pixpress-1 builds the Dockerfile; the others are the same service (a YAML alias).
    expect(services.get('pixpress-1')).toMatch(/^ {4}build: \.$/m);
    for (const name of instances.slice(1)) expect(compose).toMatch(new RegExp(`^ {2}${name}: \\*pixpress$`, 'm'));
    expect(compose).toMatch(/^ {2}pixpress-1: &pixpress$/m);
    expect(services.get('pixpress-1')).toMatch(/condition: service_completed_successfully/);
    // nginx is the only way in.
    const published = [...services].filter(([, lines]) => /^ {4}ports:/m.test(lines)).map(([name]) => name);
    expect(published).toEqual(['nginx']);
    expect(services.get('nginx')).toMatch(/^ {6}- \.\/deploy\/nginx\.conf:\/etc\/nginx\/conf\.d\/default\.conf:ro$/m);
  });

  it('gives the instances settings graphql/config.ts accepts: Postgres, the bucket, proxied file URLs, a trusted proxy', () => {
    const secrets: Record<string, string> = {
      JWT_SECRET: 'x'.repeat(48),
      POSTGRES_PASSWORD: 'pg-secret',
      MINIO_ROOT_PASSWORD: 'minio-secret',
    };
    const env = instanceEnv((name) => secrets[name] ?? expect.fail(`${name} is required by the compose file but not expected here`));
    for (const name of Object.keys(env)) expect(envVariablesConfigReads, name).toContain(name);
    const dir = mkdtempSync(join(tmpdir(), 'pixpress-scaled-'));
    try {
      const config = loadConfig({ ...env, DATA_DIR: dir });
      expect(config.production).toBe(true);
      expect(config.databaseUrl).toBe('postgres://pixpress:pg-secret@postgres:5432/pixpress');
      expect(config.s3).toEqual({
        bucket: 'pixpress',
        endpoint: 'http://minio:9000',
        publicEndpoint: null,
        region: 'us-east-1',
        accessKeyId: 'pixpress',
        secretAccessKey: 'minio-secret',
        forcePathStyle: true,
      });
      expect(config.fileUrls).toBe('proxy');
      // nginx is the one proxy: the rightmost X-Forwarded-For entry is the client.
      expect(config.trustProxy).toEqual({ hops: 1 });
      expect(config.publicUrl).toBe('http://127.0.0.1:4321');
      expect(config.seedUser).toBeNull();
      expect(config.maxUploadBytes).toBe(loadConfig({ DATA_DIR: dir }).maxUploadBytes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The shared secret has no default: every instance must be given the same one.
    expect(compose).toMatch(/^ {6}JWT_SECRET: \$\{JWT_SECRET:\?[^}]+\}$/m);
  });

  it('balances over every instance, takes uploads up to MAX_UPLOAD_BYTES and tells the instances the client address', () => {
    const upstream = /upstream pixpress \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    const servers = [...upstream.matchAll(/^\s*server ([a-z0-9-]+):(\d+)\b/gm)].map(([, host, port]) => `${host}:${port}`);
    expect(servers).toEqual(instances.map((name) => `${name}:4321`));
    // Round robin: no other balancing method.
    expect(upstream).not.toMatch(/\b(least_conn|ip_hash|hash|random)\b/);
    expect(nginx).toMatch(/proxy_pass http:\/\/pixpress;/);

    const maxUpload = Number(instanceEnv(() => 'x'.repeat(48)).MAX_UPLOAD_BYTES);
    const [, size, unit] = /client_max_body_size (\d+)([km]?);/.exec(nginx) ?? [];
    const bodyLimit = Number(size) * ({ k: 1024, m: 1024 * 1024 }[unit as 'k' | 'm'] ?? 1);
    // Room for the multipart envelope, so a file just over the limit meets Pixpress's typed error.
    expect(bodyLimit - maxUpload).toBeGreaterThan(0);
    expect(bodyLimit - maxUpload).toBeLessThanOrEqual(1024 * 1024);
    expect(nginx).toMatch(/proxy_request_buffering off;/);

    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    // The Host the client sent, port included, for the instances' PUBLIC_URL / ALLOWED_HOSTS check.
    expect(nginx).toMatch(/proxy_set_header Host \$http_host;/);
  });
});
