// The generated types must be what codegen makes now from schema.graphql and the site's
// documents; otherwise `npm run generate` was forgotten after a schema or query change.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { codegenConfig, GENERATED_DIR } from '../../../codegen.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('site/src/gql', () => {
  it('matches what graphql-codegen generates from schema.graphql now', async () => {
    const previous = process.cwd();
    process.chdir(ROOT);
    let outputs: Array<{ filename: string; content: string }>;
    try {
      outputs = await generate(codegenConfig('.codegen-drift-check/'), false);
    } finally {
      process.chdir(previous);
    }
    const fresh = new Map(outputs.map((output) => [relative(join(ROOT, '.codegen-drift-check'), join(ROOT, output.filename)), output.content]));
    const committed = new Map<string, string>();
    for (const name of await readdir(join(ROOT, GENERATED_DIR))) {
      if (name.endsWith('.test.ts')) continue;
      committed.set(name, await readFile(join(ROOT, GENERATED_DIR, name), 'utf8'));
    }
    expect([...committed.keys()].sort(), 'generated file names').toEqual([...fresh.keys()].sort());
    for (const [name, content] of fresh) {
      expect(committed.get(name), `${GENERATED_DIR}${name} is stale: run npm run generate`).toBe(content);
    }
  });
});
