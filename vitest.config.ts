import { createRequire } from 'node:module';
import os from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/** Starts (or shares) the run's PostgreSQL: only the tiers that use a database pay for it. */
const DATABASE = ['test/helpers/globalSetup.ts'];

export default defineConfig({
  resolve: {
    // One graphql instance: Vite would pick graphql's .mjs build for our code while Yoga gets the
    // CommonJS one from Node, and then Yoga's `instanceof GraphQLError` fails and masks our errors.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    pool: 'forks',
    // Most files wait on processes, the database and the clock rather than the CPU: at least two run
    // at once (Vitest's default is one fewer than the cores, which is one on a 2-core machine).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    reporters: ['default', './test/helpers/summaryReporter.ts'],
    // The tiers: `npm test` runs them all, `vitest run --project unit` only the fast one.
    projects: [
      {
        extends: true,
        // Pure logic: no database, no process, no network; Vitest's default 5 s per test is plenty.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: DATABASE, testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: DATABASE, testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        // The benchmark starts its own PostgreSQL and server, as `npm run bench` does.
        test: { name: 'bench', include: ['test/bench/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
    ],
  },
});
