/**
 * Generates the typed documents of the API's two clients from the checked-in schema.graphql: the
 * admin's (client/src/gql) and the runner's (scrapers/runner/gql), each from its own graphql() calls.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const types = {
  scalars: { DateTime: 'string', JSON: 'unknown' },
  enumsAsTypes: true,
  useTypeImports: true,
  avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'client/src/gql/': {
      preset: 'client',
      documents: ['client/src/**/*.{ts,tsx}', '!client/src/gql/**'],
      presetConfig: { fragmentMasking: false },
      config: types,
    },
    // The runner posts documents with fetch: they stay strings, and imports carry the extension Node needs.
    'scrapers/runner/gql/': {
      preset: 'client',
      documents: ['scrapers/runner/**/*.ts', '!scrapers/runner/gql/**'],
      presetConfig: { fragmentMasking: false },
      config: { ...types, documentMode: 'string', importExtension: '.ts' },
    },
  },
};

export default config;
