/**
 * One PostgreSQL for the whole test run: the embedded one (PostgreSQL 18) by default, or the
 * server named by TEST_DATABASE_URL (CI also runs the suite against PostgreSQL 15 that way).
 * Each test file then makes its own database on it.
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

export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('adminDatabaseUrl', external);
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-test-'));
  // mkdtemp makes the folder private; PostgreSQL runs as its own user and must reach its data inside.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres(dir, createLogger('silent'));
  project.provide('adminDatabaseUrl', embedded.url);
  return async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
