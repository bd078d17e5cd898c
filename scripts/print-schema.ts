// Writes schema.graphql from the Pothos schema, sorted. `npm run generate` runs it; a test fails
// when the committed file differs from what this prints.
import { writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../graphql/schema/index.ts';

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (import.meta.main) {
  const target = new URL('../schema.graphql', import.meta.url);
  writeFileSync(target, printedSchema());
  console.log(`wrote ${target.pathname}`);
}
