/**
 * `npm start`'s entry as a real process, both ways the README offers: on an embedded PostgreSQL
 * created under DATA_DIR, and on an external one named by DATABASE_URL. Each waits for /healthz,
 * checks the admin token handling, and ends with SIGTERM and a clean exit.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { GraphQLTestClient } from '../helpers/graphql.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UP = /Scrapedeck is up: admin http:\/\/localhost:(\d+)\//;
const TOKEN_NOTICE = /Admin token \(shown once, kept in (.+)\):\n\s+(\S+)/g;

type Started = { port: number; output(): string; stop(): Promise<{ code: number | null; signal: string | null }> };

const started = new Set<ReturnType<typeof spawn>>();
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Starts main.ts with exactly the given environment (plus PATH and HOME) and waits for it to say it is up. */
async function startMain(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not come up:\n${output}`)), 90_000);
    const check = () => {
      const match = UP.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited during start (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  return {
    port,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const result = await exited;
      started.delete(child);
      return result;
    },
  };
}

async function healthz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
}

const graphql = (port: number, token: string) => new GraphQLTestClient(`http://127.0.0.1:${port}/graphql`, `ws://127.0.0.1:${port}/graphql`, { token });

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-start-'));
  // PostgreSQL may run as its own system user and must reach its data inside.
  await chmod(dir, 0o755);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'data');
}

describe('main.ts', () => {
  it('starts on an embedded PostgreSQL under DATA_DIR, generates and keeps the admin token, and stops cleanly', { timeout: 240_000 }, async () => {
    const dataDir = await tempDataDir();
    const first = await startMain({ DATA_DIR: dataDir });
    expect(first.port).toBeGreaterThan(0);
    expect(await healthz(first.port)).toBe(200);

    const notices = [...first.output().matchAll(TOKEN_NOTICE)];
    expect(notices).toHaveLength(1);
    const [, file, token] = notices[0]!;
    expect(path.resolve(file!)).toBe(path.resolve(dataDir, 'admin-token'));
    expect((await readFile(file!, 'utf8')).trim()).toBe(token);
    expect(existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);

    const admin = graphql(first.port, token!);
    // DEMO=false: nothing but what we make.
    expect(await admin.data(`{ scrapers { id } }`)).toEqual({ scrapers: [] });
    const created = await admin.data(`mutation($input: CreateScraperInput!) { createScraper(input: $input) { __typename } }`, {
      input: { slug: 'kept', name: 'Kept', source: { name: 'Kept shop', url: 'https://kept.example.test/menu' }, config: { format: 'html', urls: ['https://kept.example.test/menu'], items: '.product', fields: { sku: '.sku', name: '.name' } } },
    });
    expect(created.createScraper.__typename).toBe('MutationCreateScraperSuccess');
    expect((await graphql(first.port, 'not-the-token-0123456789').request(`{ scrapers { id } }`)).errors?.length).toBeGreaterThan(0);

    expect(await first.stop()).toEqual({ code: 0, signal: null });
    // The embedded cluster was stopped with the server, not left running.
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    // A restart on the same folder keeps its data and its token, and prints no new one.
    const second = await startMain({ DATA_DIR: dataDir });
    expect(await healthz(second.port)).toBe(200);
    expect([...second.output().matchAll(TOKEN_NOTICE)]).toHaveLength(0);
    expect(await graphql(second.port, token!).data(`{ scrapers { slug } }`)).toEqual({ scrapers: [{ slug: 'kept' }] });
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });

  it('starts on the PostgreSQL named by DATABASE_URL, migrates it, uses ADMIN_TOKEN as given, and stops cleanly', { timeout: 120_000 }, async () => {
    const db: TestDatabase = await createTestDatabase({ migrate: false });
    cleanups.push(() => db.drop());
    const dataDir = await tempDataDir();
    const adminToken = 'startup-test-admin-token-0123456789';
    const server = await startMain({ DATABASE_URL: db.url, DATA_DIR: dataDir, ADMIN_TOKEN: adminToken });
    expect(await healthz(server.port)).toBe(200);
    expect(server.output()).not.toMatch(TOKEN_NOTICE);
    expect(existsSync(path.join(dataDir, 'admin-token'))).toBe(false);
    // No embedded cluster when DATABASE_URL is set.
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);

    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`);
    expect(rows[0].n).toBeGreaterThan(0);
    expect(await graphql(server.port, adminToken).data(`{ scrapers { id } }`)).toEqual({ scrapers: [] });

    expect(await server.stop()).toEqual({ code: 0, signal: null });
    const { rows: left } = await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('scrapedeck', 'scrapedeck-listener')`,
    );
    expect(left[0].n).toBe(0);
  });
});
