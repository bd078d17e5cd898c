import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, type GraphQLNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../scripts/print-schema.ts';

const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
const contractText = readFileSync(new URL('../api-contract.graphql', import.meta.url), 'utf8');
const SHARED_CONTRACT = new URL('../../../shared/api-contract.graphql', import.meta.url);

// Parts of the contract whose issue has not landed yet. Each entry must be missing (the test
// fails once it exists, so the list only shrinks), grouped by the issue that builds it.
const PENDING = new Set<string>([
  // Nothing pending: every part of the contract is built.
]);

describe('schema.graphql', () => {
  it('is what the Pothos schema prints (run `npm run generate` after changing the schema)', () => {
    expect(committed).toBe(printedSchema());
  });

  // The contract is kept in the repo (so a clone tests on its own) and compared with the shared
  // original whenever that is beside the repo, as it is in CI.
  it.skipIf(!existsSync(SHARED_CONTRACT))('keeps its copy of the API contract in step with ../shared', () => {
    expect(contractText).toBe(readFileSync(SHARED_CONTRACT, 'utf8'));
  });

  it('contains every type, field, argument, enum value and union member of the API contract', () => {
    const contract = buildSchema(contractText);
    const ours = buildSchema(committed);
    const missing: string[] = [];
    for (const type of Object.values(contract.getTypeMap()) as GraphQLNamedType[]) {
      if (type.name.startsWith('__')) continue;
      const mine = ours.getType(type.name);
      if (!mine) {
        missing.push(type.name);
        continue;
      }
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        const myFields = (mine as typeof type).getFields() as Record<
          string,
          { type: unknown; args?: Array<{ name: string; type: unknown }> }
        >;
        for (const field of Object.values(type.getFields()) as Array<{
          name: string;
          type: unknown;
          args?: Array<{ name: string; type: unknown }>;
        }>) {
          const myField = myFields[field.name];
          if (!myField) missing.push(`${type.name}.${field.name}`);
          else if (String(myField.type) !== String(field.type))
            missing.push(`${type.name}.${field.name}: ${String(field.type)} (ours ${String(myField.type)})`);
          for (const arg of field.args ?? []) {
            const myArg = myField?.args?.find((candidate) => candidate.name === arg.name);
            if (!myArg || String(myArg.type) !== String(arg.type))
              missing.push(`${type.name}.${field.name}(${arg.name}: ${String(arg.type)})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) {
          if (!isEnumType(mine) || !mine.getValue(value.name)) missing.push(`${type.name}.${value.name}`);
        }
      }
      if (isUnionType(type)) {
        const members = isUnionType(mine) ? mine.getTypes().map((member) => member.name) : [];
        for (const member of type.getTypes()) if (!members.includes(member.name)) missing.push(`${type.name} | ${member.name}`);
      }
    }
    expect(missing.filter((item) => !PENDING.has(item))).toEqual([]);
    expect([...PENDING].filter((item) => !missing.includes(item))).toEqual([]);
  });
});
