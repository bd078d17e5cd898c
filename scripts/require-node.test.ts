// An old Node must be refused once, early and with the version we need: by npm at install time
// (.npmrc engine-strict + package.json engines) and by the check the npm scripts run first.
// The machine's own Node (/usr/bin/node, Node 20) plays the old one.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const check = join(root, 'scripts/require-node.mjs');
const oldNode = '/usr/bin/node';
const oldNodeMajor = existsSync(oldNode)
  ? Number(execFileSync(oldNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }))
  : NaN;
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

describe('the Node version', () => {
  it('is stated once, in engines, and npm is told to enforce it', () => {
    expect(packageJson.engines.node).toBe('>=22.18');
    expect(readFileSync(join(root, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
    for (const script of ['start', 'build', 'serve', 'dev'])
      expect(packageJson.scripts[`pre${script}`]).toBe('node scripts/require-node.mjs');
  });

  it('passes silently on this Node', () => {
    const run = spawnSync(process.execPath, [check], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
  });

  it.skipIf(!(oldNodeMajor < 22))('refuses an old Node before starting, in one line naming 22.18', () => {
    const run = spawnSync(oldNode, [check], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Pixpress needs Node 22\.18 or later .*this is Node 20\./);
  });

  it.skipIf(!(oldNodeMajor < 22) || !existsSync('/usr/bin/npm'))(
    'makes npm install fail on an old Node with EBADENGINE, installing nothing',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'pixpress-engines-'));
      try {
        // The real engines and .npmrc, without the dependencies: npm checks the project's own engines
        // first, and nothing then needs fetching, so the test runs offline.
        const { dependencies: _dependencies, devDependencies: _devDependencies, ...project } = packageJson as Record<string, unknown>;
        writeFileSync(join(dir, 'package.json'), JSON.stringify(project));
        copyFileSync(join(root, '.npmrc'), join(dir, '.npmrc'));
        const run = spawnSync(oldNode, ['/usr/bin/npm', 'install', '--offline', '--no-audit', '--no-fund'], {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: '/usr/bin:/bin', HOME: dir },
        });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/npm error code EBADENGINE/);
        expect(run.stderr).toContain('Required: {"node":">=22.18"}');
        expect(existsSync(join(dir, 'node_modules'))).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
