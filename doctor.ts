/**
 * `npm run doctor`: checks what a server instance needs before it starts (configuration, the
 * database, its migrations, its PostgreSQL version, LISTEN/NOTIFY) and says plainly what is wrong.
 * Exits 1 when any check fails, so that deploy scripts and init containers can gate on it.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig, type Config } from './server/config.ts';
import { readMigrations } from './server/db/migrate.ts';

export type Check = { name: string; ok: boolean; message: string };

/** The oldest PostgreSQL Scrapedeck is tested against. */
const MIN_SERVER_VERSION = 150000;
const TIMEOUT_MS = 5000;

export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  let config: Config;
  try {
    config = loadConfig(env);
    checks.push({ name: 'configuration', ok: true, message: describeConfig(config) });
  } catch (error) {
    checks.push({ name: 'configuration', ok: false, message: (error as Error).message });
    return checks;
  }
  if (!config.databaseUrl) {
    checks.push({
      name: 'database',
      ok: true,
      message: `DATABASE_URL is not set: the server starts an embedded PostgreSQL under ${config.dataDir}; set DATABASE_URL to check an external one`,
    });
    return checks;
  }
  const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: TIMEOUT_MS, application_name: 'scrapedeck-doctor' });
  // A connection lost between two checks is a finding of its own (the next check's query fails too).
  client.on('error', (error) => checks.push({ name: 'database', ok: false, message: `the connection was lost: ${error.message}` }));
  try {
    await client.connect();
  } catch (error) {
    checks.push({ name: 'database', ok: false, message: `cannot connect to ${redact(config.databaseUrl)}: ${(error as Error).message}` });
    return checks;
  }
  try {
    checks.push({ name: 'database', ok: true, message: `connected to ${redact(config.databaseUrl)}` });
    checks.push(await checkVersion(client));
    checks.push(await checkMigrations(client));
    checks.push(await checkListenNotify(config.databaseUrl, client));
  } finally {
    await client.end().catch(() => undefined);
  }
  return checks;
}

function describeConfig(config: Config): string {
  const mode = config.production ? 'production' : 'development';
  return `${mode} mode, port ${config.port}, GraphiQL ${config.graphiql ? 'on' : 'off'}, introspection ${config.introspection ? 'on' : 'off'}`;
}

/** Never print a password into a terminal or a deploy log. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable url)';
  }
}

async function checkVersion(client: pg.Client): Promise<Check> {
  const { rows } = await client.query<{ num: string; version: string }>(
    `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`,
  );
  const num = Number(rows[0]!.num);
  return num >= MIN_SERVER_VERSION
    ? { name: 'postgres version', ok: true, message: `PostgreSQL ${rows[0]!.version}` }
    : { name: 'postgres version', ok: false, message: `PostgreSQL ${rows[0]!.version} is too old: 15 or newer is required` };
}

async function checkMigrations(client: pg.Client): Promise<Check> {
  const name = 'migrations';
  const migrations = await readMigrations();
  const { rows: exists } = await client.query(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  if (!exists[0].present) {
    return { name, ok: false, message: `none applied; ${migrations.length} pending (the server applies them on start, or run prisma migrate deploy)` };
  }
  const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
  );
  const problems: string[] = [];
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null).map((r) => r.migration_name);
  if (failed.length) problems.push(`failed or unfinished: ${failed.join(', ')}`);
  const applied = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
  const changed = migrations.filter((m) => applied.has(m.name) && applied.get(m.name) !== m.checksum).map((m) => m.name);
  if (changed.length) problems.push(`edited after they were applied: ${changed.join(', ')}`);
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...applied.keys()].filter((n) => !known.has(n));
  if (unknown.length) problems.push(`applied but unknown to this version (is the code older than the database?): ${unknown.join(', ')}`);
  const pending = migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
  if (pending.length) problems.push(`pending: ${pending.join(', ')} (the server applies them on start)`);
  return problems.length
    ? { name, ok: false, message: problems.join('; ') }
    : { name, ok: true, message: `${applied.size} applied, none pending` };
}

/**
 * Live updates need a session that LISTENs; through PgBouncer in transaction mode the notification
 * never arrives, which is exactly what this round trip finds out.
 */
async function checkListenNotify(url: string, sender: pg.Client): Promise<Check> {
  const name = 'listen/notify';
  const channel = `scrapedeck_doctor_${randomBytes(4).toString('hex')}`;
  const listener = new pg.Client({ connectionString: url, connectionTimeoutMillis: TIMEOUT_MS, application_name: 'scrapedeck-doctor' });
  let timer: NodeJS.Timeout | undefined;
  // Set from an event handler, which the compiler's narrowing does not follow.
  let lost = null as Error | null;
  try {
    await listener.connect();
    const arrived = new Promise<boolean>((resolve) => {
      listener.on('notification', (message) => message.channel === channel && resolve(true));
      // A listening connection that drops hears nothing more: the check fails, saying why.
      listener.on('error', (error) => {
        lost = error;
        resolve(false);
      });
      timer = setTimeout(() => resolve(false), TIMEOUT_MS);
    });
    await listener.query(`LISTEN ${channel}`);
    await sender.query(`SELECT pg_notify($1, 'ping')`, [channel]);
    if (await arrived) return { name, ok: true, message: 'a notification made the round trip' };
    if (lost) return { name, ok: false, message: `the listening connection was lost: ${lost.message}` };
    return {
      name,
      ok: false,
      message: `no notification arrived within ${TIMEOUT_MS} ms: live updates need a direct or session-pooled connection (not PgBouncer transaction mode)`,
    };
  } catch (error) {
    return { name, ok: false, message: (error as Error).message };
  } finally {
    clearTimeout(timer);
    await listener.end().catch(() => undefined);
  }
}

async function main() {
  const checks = await runDoctor();
  for (const check of checks) process.stdout.write(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.message}\n`);
  const failed = checks.filter((c) => !c.ok).length;
  process.stdout.write(failed ? `\n${failed} check(s) failed\n` : '\nall checks passed\n');
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    process.stderr.write(`doctor failed: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 1;
  });
}
