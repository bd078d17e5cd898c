// The README teaches the system, so it must stay true to it: its GraphQL examples validate
// against the schema, its configuration table lists exactly the variables config.ts reads (with
// their real defaults), its metrics table names real metrics, and its commands are real scripts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, validate } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createMetrics } from '../http/metrics.ts';
import { schema } from '../schema/index.ts';
import { EmbeddedRecordStore } from '../store/embedded/records.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

function codeBlocks(language: string): string[] {
  return [...readme.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]!);
}

/** Rows of the markdown table that follows a heading, as arrays of cell texts. */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

describe('README', () => {
  const dataDirs: string[] = [];
  afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const config = (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'pixpress-readme-'));
    dataDirs.push(dir);
    const { secret: _secret, dataDir: _dataDir, ...rest } = loadConfig({ ...env, DATA_DIR: dir });
    return rest;
  };

  it('shows the two commands, and they are npm scripts that exist', () => {
    const shell = codeBlocks('sh').map((block) => block.trim());
    expect(shell).toContain('npm install && npm start');
    expect(shell).toContain('npm test');
    for (const script of ['start', 'test', 'build', 'serve']) expect(packageJson.scripts).toHaveProperty(script);
  });

  it('has GraphQL examples that are valid against the schema', () => {
    const blocks = codeBlocks('graphql');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const errors = validate(schema, parse(block)).map((error) => error.message);
      expect(errors, block.slice(0, 80)).toEqual([]);
    }
  });

  it('lists exactly the settings config.ts reads, each with its real default', () => {
    const rows = tableAfter('## Configuration');
    const documented = rows.map((row) => row[0]!.replace(/`/g, ''));
    const source = readFileSync(join(ROOT, 'graphql/config.ts'), 'utf8');
    const read = new Set(
      [...source.matchAll(/env(?:\.|\[\s*')([A-Z][A-Z0-9_]+)|read(?:Int|Bool)\(env, '([A-Z0-9_]+)'/g)].map((match) => match[1] ?? match[2]),
    );
    // NODE_ENV is explained in the text (production mode), not as a setting.
    read.delete('NODE_ENV');
    expect(new Set(documented)).toEqual(read);

    const baseline = config({});
    for (const row of rows) {
      const name = row[0]!.replace(/`/g, '');
      const fallback = /^`([^`]*)`$/.exec(row[1]!)?.[1];
      // "generated", "cores": defaults that depend on the machine are described in words.
      if (fallback === undefined) continue;
      expect(config({ [name]: fallback }), `${name} default ${fallback}`).toEqual(baseline);
    }
  });

  it('names only metrics that /metrics serves', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pixpress-metrics-'));
    const records = await EmbeddedRecordStore.open(dir);
    const metrics = createMetrics({ imageQueue: { waiting: 0, running: 0 }, records });
    const served = new Set((await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name));
    const documented = tableAfter('## Operations').flatMap((row) => [...row[0]!.matchAll(/`(pixpress_[a-z_]+)`/g)].map((match) => match[1]!));
    expect(documented.length).toBeGreaterThan(5);
    for (const name of documented) expect(served, name).toContain(name);
    for (const name of served) if (name.startsWith('pixpress_')) expect(documented, name).toContain(name);
    await records.close();
    await rm(dir, { recursive: true, force: true });
  });
});
