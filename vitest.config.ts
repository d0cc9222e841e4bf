import { createRequire } from 'node:module';
import os from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql instance: Vite would pick graphql's .mjs build for our code while Yoga gets the
    // CommonJS one from Node, and then Yoga's `instanceof GraphQLError` fails and masks our errors.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on processes, the database and the clock rather than the CPU: at least two run
    // at once (Vitest's default is one fewer than the cores, which is one on a 2-core machine).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    reporters: ['default', './test/helpers/summaryReporter.ts'],
  },
});
