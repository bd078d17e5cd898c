// There is no Docker engine in CI, so the container files are checked by reading them: the facts
// a reviewer would check by eye, plus the ones that break silently (a COPY that misses a module
// server.ts imports, an npm script that does not exist, a compose default that drifted from
// graphql/config.ts).
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
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
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
  [...read('graphql/config.ts').matchAll(/env(?:\.|\[\s*')([A-Z][A-Z0-9_]+)|readInt\(env, '([A-Z0-9_]+)'|readBool\(env, '([A-Z0-9_]+)'/g)].map(
    (match) => match[1] ?? match[2] ?? match[3],
  ),
);

describe('Dockerfile', () => {
  const { stages } = parseDockerfile(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const runs = (stage: Stage) => stage.instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args).join('\n');
  const all = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

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
    for (const unwanted of ['site/src/pages/index.astro', 'package-lock.json', '.git/HEAD']) expect(covered(unwanted), unwanted).toBe(false);
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
    expect(packageJson.scripts[cmd[2]!]).toBe('node server.ts');
    // npm must hand SIGTERM to node itself, not to a dash that dies without passing it on.
    expect(all(runtime, 'ENV').join(' ')).toMatch(/NPM_CONFIG_SCRIPT_SHELL=\/bin\/bash/);
  });
});

describe('.dockerignore', () => {
  it('leaves out dependencies, data, build output and secrets', () => {
    const entries = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'site/dist', 'filestore', '.env', '.git']) expect(entries).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');
  const dataDirs: string[] = [];
  afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
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
