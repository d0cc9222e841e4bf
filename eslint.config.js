// Lint keeps the shape of the tree: which side may import which, and code that no one reads.
// Unused exports and files are knip's job (knip.json); this file checks each module on its own.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Which part of the tree may not import which: paths from the repository's root. */
const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });

const SIDES = [
  zone('./client', ['./server', './scrapers', './contract'], 'The admin is its own build: it takes the API\'s types from codegen.'),
  zone('./contract', ['./server', './scrapers', './client'], 'contract/ is what server and runner share: it imports neither side.'),
  zone('./scrapers', ['./server', './client'], 'The runner reaches the server through the API; what both agree on is in contract/.'),
  zone('./server', ['./scrapers', './client'], 'The server reaches the runner only through contract/.'),
];

const DOMAIN_FREE_OF_GRAPHQL = zone(
  './server',
  './server/graphql',
  'Domain code knows nothing of GraphQL: it returns results and domain errors, and the schema maps them.',
);

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.data/',
      '.tools/',
      'dist/',
      'client/dist/',
      'client/src/gql/',
      'scrapers/runner/gql/',
      'server/db/generated/',
      'test-results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: SIDES }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // The classic rules; the React Compiler's (refs, purity, effects) judge code written for it, which the admin is not.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Domain folders: everything under server/ but the GraphQL layer, each domain's schema.ts
    // (where the domain meets the schema) and the process wiring.
    files: ['server/*/**/*.ts'],
    ignores: ['server/graphql/**', 'server/**/schema.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: [...SIDES, DOMAIN_FREE_OF_GRAPHQL] }] },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests, the benchmark and scripts read GraphQL answers as they come.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
