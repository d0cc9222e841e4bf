/**
 * The SQL migrations under prisma/migrations, applied by the server's migration runner, build
 * exactly the model in schema.prisma: same enums, tables, columns (type, nullability, default),
 * indexes and foreign keys. And the runner itself: idempotent, and strict about edited history.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../../server/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { loadDatamodel, shapeFromDatabase, shapeFromDatamodel, type SchemaShape } from '../helpers/schemaShape.ts';

let db: TestDatabase;
let expected: SchemaShape;

beforeAll(async () => {
  [db, expected] = await Promise.all([createTestDatabase({ migrate: false }), loadDatamodel().then(shapeFromDatamodel)]);
  await migrate(db.pool);
});

afterAll(async () => {
  await db?.drop();
});

describe('the migrated database', () => {
  it('matches schema.prisma: enums, tables, columns, indexes and foreign keys', async () => {
    const actual = await shapeFromDatabase(db.pool);
    // Compared part by part, so that a failure names the part that drifted.
    expect(actual.enums).toEqual(expected.enums);
    expect(Object.keys(actual.tables).sort()).toEqual(Object.keys(expected.tables).sort());
    for (const table of Object.keys(expected.tables)) expect({ table, columns: actual.tables[table] }).toEqual({ table, columns: expected.tables[table] });
    expect(actual.indexes).toEqual(expected.indexes);
    expect(actual.foreignKeys).toEqual(expected.foreignKeys);
  });

  it('has the model that the comparison reads from schema.prisma (a sanity check of the reader)', () => {
    expect(expected.tables.run).toMatchObject({
      id: 'int4 NOT NULL DEFAULT autoincrement()',
      status: 'enum RunStatus NOT NULL DEFAULT QUEUED',
      queued_at: 'timestamptz(3) NOT NULL DEFAULT now()',
      error_message: 'text',
      duration_seconds: 'float8',
    });
    expect(expected.tables.scraper).toMatchObject({ config: 'jsonb NOT NULL DEFAULT {}', timezone: 'text NOT NULL DEFAULT UTC', enabled: 'bool NOT NULL DEFAULT true' });
    expect(expected.indexes).toContain('PRIMARY KEY log_line_pkey ON log_line (run_id, seq)');
    expect(expected.indexes).toContain('INDEX run_queued_at_id_idx ON run (queued_at DESC, id DESC)');
    expect(expected.foreignKeys).toContain('log_batch_run_id_fkey: log_batch (run_id) -> run (id) ON DELETE CASCADE ON UPDATE CASCADE');
  });

  it('notices drift of every kind the comparison covers', async () => {
    // On a second database, so that the first stays as migrated.
    const drifted = await createTestDatabase();
    try {
      await drifted.pool.query(`
        ALTER TYPE "LogLevel" ADD VALUE 'TRACE';
        ALTER TABLE run ALTER COLUMN error_type SET NOT NULL;
        ALTER TABLE run ALTER COLUMN retry_count SET DEFAULT 1;
        ALTER TABLE source ALTER COLUMN url TYPE varchar(500);
        ALTER TABLE runner ADD COLUMN note text;
        DROP INDEX run_runner_id_status_completed_at_idx;
        CREATE INDEX run_error_type_idx ON run (error_type);
        ALTER TABLE flag DROP CONSTRAINT flag_run_id_fkey;
        ALTER TABLE flag ADD CONSTRAINT flag_run_id_fkey FOREIGN KEY (run_id) REFERENCES run(id) ON DELETE CASCADE ON UPDATE CASCADE;
        CREATE TABLE stray (id int PRIMARY KEY);`);
      const actual = await shapeFromDatabase(drifted.pool);
      expect(actual.enums.LogLevel).not.toEqual(expected.enums.LogLevel);
      expect(actual.tables.run!.error_type).not.toBe(expected.tables.run!.error_type);
      expect(actual.tables.run!.retry_count).not.toBe(expected.tables.run!.retry_count);
      expect(actual.tables.source!.url).not.toBe(expected.tables.source!.url);
      expect(Object.keys(actual.tables.runner!)).not.toEqual(Object.keys(expected.tables.runner!));
      expect(Object.keys(actual.tables)).toContain('stray');
      const missing = expected.indexes.filter((i) => !actual.indexes.includes(i));
      const extra = actual.indexes.filter((i) => !expected.indexes.includes(i));
      expect(missing).toContain('INDEX run_runner_id_status_completed_at_idx ON run (runner_id, status, completed_at DESC)');
      expect(extra).toEqual(expect.arrayContaining(['INDEX run_error_type_idx ON run (error_type)', 'PRIMARY KEY stray_pkey ON stray (id)']));
      expect(actual.foreignKeys).not.toEqual(expected.foreignKeys);
    } finally {
      await drifted.drop();
    }
  });
});

describe('the migration runner', () => {
  it('records every migration once and applies nothing on a second run', async () => {
    const { rows } = await db.pool.query(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`);
    expect(rows.map((r) => r.migration_name)).toEqual((await readMigrations()).map((m) => m.name));
    expect(await migrate(db.pool)).toEqual({ applied: [] });
  });

  it('lets concurrent starts migrate a fresh database once', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const results = await Promise.all([migrate(fresh.pool), migrate(fresh.pool), migrate(fresh.pool)]);
      const names = (await readMigrations()).map((m) => m.name);
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, names.length]);
    } finally {
      await fresh.drop();
    }
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const [first] = await readMigrations(dir);
      const file = path.join(dir, first!.name, 'migration.sql');
      await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited\n`);
      await expect(migrate(db.pool, dir)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
