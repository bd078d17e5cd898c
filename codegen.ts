// graphql-codegen: types for every operation the site sends, from the API's printed schema.
// `npm run generate` writes site/src/gql; site/src/gql/codegen-drift.test.ts fails when that
// output is stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

// The output is not hand-edited (the drift test would fail), so two things in it stay as the
// client preset writes them: the `/* eslint-disable */` it puts atop every file (inert here: the
// project has no ESLint; tsc and astro check, both strict, do type-check this folder), and gql.ts's
// `(documents as any)[source]`, the preset's lookup from a query's text to its typed document,
// whose typed overloads are what the site's code calls.
export const GENERATED_DIR = 'site/src/gql/';

export function codegenConfig(outputDir: string = GENERATED_DIR): CodegenConfig {
  return {
    schema: 'schema.graphql',
    documents: ['site/src/**/*.{ts,tsx}', '!site/src/gql/**', '!site/src/**/*.test.ts', '!site/src/**/*.d.ts'],
    // Extensionless relative imports, for Vite and TypeScript's bundler resolution.
    emitLegacyCommonJSImports: false,
    ignoreNoDocuments: false,
    generates: {
      [outputDir]: {
        preset: 'client',
        presetConfig: { fragmentMasking: false },
        config: {
          // Browser-side uploads carry a File; DateTime travels as an ISO string.
          scalars: { Upload: 'File', DateTime: 'string' },
          // String unions, not TS enums (the repo allows erasable syntax only).
          enumsAsTypes: true,
          useTypeImports: true,
          skipTypename: false,
        },
      },
    },
  };
}

export default codegenConfig();
