import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `npm run doctor`'s script as its own process with the given environment. */
function doctor(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'doctor.ts'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

let migrated: TestDatabase;
let empty: TestDatabase;

beforeAll(async () => {
  [migrated, empty] = await Promise.all([createTestDatabase(), createTestDatabase({ migrate: false })]);
});

afterAll(async () => {
  await migrated?.drop();
  await empty?.drop();
});

describe('npm run doctor', () => {
  it('passes every check on a migrated database, NOTIFY round trip included', async () => {
    const { code, output } = await doctor({ DATABASE_URL: migrated.url });
    expect(output).toMatch(/ok\s+configuration/);
    expect(output).toMatch(/ok\s+postgres version: PostgreSQL \d+/);
    expect(output).toMatch(/ok\s+migrations: \d+ applied, none pending/);
    expect(output).toMatch(/ok\s+listen\/notify/);
    expect(output).toContain('all checks passed');
    expect(code).toBe(0);
  });

  it('fails and names the pending migrations on a database that was never migrated', async () => {
    const { code, output } = await doctor({ DATABASE_URL: empty.url });
    expect(output).toMatch(/FAIL\s+migrations: none applied; \d+ pending/);
    expect(code).toBe(1);
  });

  it('fails and names the migration that was edited after it was applied', async () => {
    await migrated.pool.query(`UPDATE "_prisma_migrations" SET checksum = 'edited' WHERE migration_name = (SELECT min(migration_name) FROM "_prisma_migrations")`);
    const { code, output } = await doctor({ DATABASE_URL: migrated.url });
    expect(output).toMatch(/FAIL\s+migrations: edited after they were applied: \d+_init/);
    expect(code).toBe(1);
  });

  it('says that the embedded database will be used when DATABASE_URL is not set', async () => {
    const { code, output } = await doctor({ DATA_DIR: '/var/lib/scrapedeck' });
    expect(output).toMatch(/ok\s+database: DATABASE_URL is not set: the server starts an embedded PostgreSQL under \/var\/lib\/scrapedeck/);
    expect(code).toBe(0);
  });

  it('says which setting is invalid', async () => {
    const { code, output } = await doctor({ PORT: 'eighty', DATABASE_URL: migrated.url });
    expect(output).toMatch(/FAIL\s+configuration: Invalid configuration: PORT/);
    expect(code).toBe(1);
  });

  it('says when the database cannot be reached, without printing its password', async () => {
    const { code, output } = await doctor({ DATABASE_URL: 'postgres://scrapedeck:hunter22@127.0.0.1:1/nowhere' });
    expect(output).toMatch(/FAIL\s+database: cannot connect to postgres:\/\/scrapedeck:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    expect(output).not.toContain('hunter22');
    expect(code).toBe(1);
  });
});
