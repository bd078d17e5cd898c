// The README and docs/ teach the system, so they must stay true to it: their GraphQL examples
// validate against the schema, the configuration table lists exactly the variables config.ts reads
// (with their real defaults), the metrics table names real metrics, the error-code tables list the
// schema's ErrorCode values and the request codes, the commands are real scripts, and every
// relative link resolves.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isEnumType, parse, validate } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createMetrics } from '../http/metrics.ts';
import { schema } from '../schema/index.ts';
import { REQUEST_ERROR_CODES } from '../shared/error-codes.ts';
import { EmbeddedRecordStore } from '../store/embedded/records.ts';
import { codeBlocks, headingAnchors, markdownLinks, tableAfter } from './markdown.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** README.md and every docs/*.md, by path relative to the repository root. */
const documents = new Map<string, string>(
  [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ].map((path) => [path, read(path)]),
);
const readme = documents.get('README.md')!;
/** The one document that holds `heading` (the material may move between pages, but not be lost). */
function documentWith(heading: string): string {
  const holders = [...documents.entries()].filter(([, text]) => text.split('\n').includes(heading));
  expect(
    holders.map(([path]) => path),
    heading,
  ).toHaveLength(1);
  return holders[0]![1];
}

describe('README', () => {
  const dataDirs: string[] = [];
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });
  const config = (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'pixpress-readme-'));
    dataDirs.push(dir);
    const { secret: _secret, dataDir: _dataDir, ...rest } = loadConfig({ ...env, DATA_DIR: dir });
    return rest;
  };

  it('shows the two commands, and they are npm scripts that exist', () => {
    const shell = codeBlocks(readme, 'sh').map((block) => block.trim());
    expect(shell).toContain('npm install && npm start');
    expect(shell).toContain('npm test');
    for (const script of ['start', 'test', 'build', 'serve']) expect(packageJson.scripts).toHaveProperty(script);
  });

  it('has GraphQL examples in README.md and docs/*.md that are valid against the schema', () => {
    expect(codeBlocks(readme, 'graphql').length, 'README.md').toBeGreaterThan(0);
    expect(codeBlocks(documentWith('## Queries and mutations'), 'graphql').length, 'the API page').toBeGreaterThan(0);
    for (const [path, text] of documents) {
      for (const block of codeBlocks(text, 'graphql')) {
        const errors = validate(schema, parse(block)).map((error) => error.message);
        expect(errors, `${path}: ${block.slice(0, 80)}`).toEqual([]);
      }
    }
  });

  it('lists exactly the settings config.ts reads, each with its real default', () => {
    const rows = tableAfter(documentWith('## Configuration'), '## Configuration');
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
    const documented = tableAfter(documentWith('## Health, metrics, logs'), '## Health, metrics, logs').flatMap((row) =>
      [...row[0]!.matchAll(/`(pixpress_[a-z_]+)`/g)].map((match) => match[1]!),
    );
    expect(documented.length).toBeGreaterThan(5);
    for (const name of documented) expect(served, name).toContain(name);
    for (const name of served) if (name.startsWith('pixpress_')) expect(documented, name).toContain(name);
    await records.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows settings at a glance in the README that are real settings with their real defaults', () => {
    const full = new Map(tableAfter(documentWith('## Configuration'), '## Configuration').map((row) => [row[0]!, row[1]!]));
    const glance = tableAfter(readme, '## Configuration at a glance');
    expect(glance.length).toBeGreaterThan(3);
    for (const row of glance) {
      const names = [...row[0]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => `\`${match[1]}\``);
      const defaults = row[1]!.split(', ');
      names.forEach((name, index) => {
        expect(full.has(name), name).toBe(true);
        // A default written as code must be the full table's; one in words ("1 GiB") is not compared.
        const fallback = defaults[index] ?? defaults[0]!;
        if (fallback.startsWith('`')) expect(fallback, name).toBe(full.get(name));
      });
    }
  });

  it('lists exactly the ErrorCode values of schema.graphql in the error-code table', () => {
    const printed = buildSchema(read('schema.graphql')).getType('ErrorCode');
    expect(isEnumType(printed)).toBe(true);
    const values = isEnumType(printed) ? printed.getValues().map((value) => value.name) : [];
    const documented = tableAfter(documentWith('## The error model'), '## The error model').map((row) => row[0]!.replace(/`/g, ''));
    expect(documented.slice().sort()).toEqual(values.slice().sort());
  });

  it('lists exactly the request codes in the top-level error table', () => {
    const documented = tableAfter(documentWith('### Top-level errors'), '### Top-level errors')
      .flatMap((row) => [...row[0]!.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!))
      // graphql-js's own codes for a document that does not parse or validate.
      .filter((code) => !code.startsWith('GRAPHQL_'));
    expect(documented.slice().sort()).toEqual([...REQUEST_ERROR_CODES].sort());
  });

  it('has no broken relative links or anchors in README.md and docs/*.md', () => {
    const broken: string[] = [];
    for (const [path, text] of documents) {
      for (const target of markdownLinks(text)) {
        if (/^(https?:|mailto:)/i.test(target)) continue;
        const [file = '', anchor] = target.split('#', 2) as [string, string | undefined];
        const resolved = file === '' ? path : relative(ROOT, join(ROOT, dirname(path), decodeURI(file)));
        if (resolved.startsWith('..') || !existsSync(join(ROOT, resolved))) {
          broken.push(`${path}: ${target} (no file ${resolved})`);
          continue;
        }
        if (anchor === undefined) continue;
        const isMarkdown = resolved.endsWith('.md') && statSync(join(ROOT, resolved)).isFile();
        if (!isMarkdown || !headingAnchors(read(resolved)).has(anchor))
          broken.push(`${path}: ${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
