/**
 * `npm run screenshots`: starts a throwaway Scrapedeck (embedded PostgreSQL, the demo shop sites, a
 * runner, a webhook receiver with an alert rule on WARNING runs), runs every demo scraper twice, and
 * photographs each admin page at 1280 and 390 px wide into docs/screenshots/.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, chmod, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../server/config.ts';
import { startEmbeddedPostgres } from '../server/db/embeddedPostgres.ts';
import { holdConnection } from '../server/db/heldConnection.ts';
import { createLogger } from '../server/logger.ts';
import { startServer } from '../server/server.ts';
import { addRunsToScraperDays } from '../server/trends/sql/addRunsToScraperDays.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../test/helpers/browser.ts';
import { registerDemoScrapers, startFixtureSites } from '../test/helpers/fixtures.ts';
import { startHttpReceiver } from '../test/helpers/httpReceiver.ts';
import { startRunner } from '../test/helpers/runner.ts';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

const logger = createLogger('silent');
const adminToken = randomBytes(24).toString('hex');
const cleanups: Array<() => Promise<unknown>> = [];

async function graphql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function waitForRunsToFinish(pool: pg.Pool, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await pool.query(`SELECT count(*)::int AS open FROM run WHERE status IN ('QUEUED', 'RUNNING')`);
    if (rows[0].open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('demo runs did not finish in time');
}

/** Waits until no notification waits for an attempt: each has been delivered or has failed for good. */
async function waitForDeliveries(pool: pg.Pool, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await pool.query(`SELECT count(*)::int AS pending FROM notification WHERE status = 'PENDING'`);
    if (rows[0].pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('notifications were not delivered in time');
}

/** Waits until the page shows its content rather than a loading state. */
async function settle(page: Page) {
  await page.locator('h1').first().waitFor();
  await page.locator('.state--loading').waitFor({ state: 'detached' }).catch(() => undefined);
  await page.evaluate(() => document.fonts.ready);
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-screenshots-'));
  await chmod(dir, 0o755);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const database = await startEmbeddedPostgres(dir, logger);
  cleanups.push(() => database.stop());

  // The webhook receiver listens on loopback, which alerts may reach only when private targets are allowed.
  const config = {
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', ALERTS_ALLOW_PRIVATE_TARGETS: 'true', ALERT_RETRY_SCHEDULE_SECONDS: '1,2' }),
    port: 0,
    host: '127.0.0.1',
  };
  const server = await startServer({ config, databaseUrl: database.url, adminToken, logger });
  cleanups.push(() => server.stop());
  const sites = await startFixtureSites();
  cleanups.push(() => sites.stop());
  const scrapers = await registerDemoScrapers(database.url, sites);

  const created = await graphql(server.url, `mutation { createRunner(name: "runner-eu-1") { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`);
  const runner = await startRunner({ apiUrl: server.url, apiKey: created.createRunner.data.apiKey, name: 'runner-eu-1' });
  cleanups.push(() => runner.stop());

  // Alerts: a webhook that answers, one that is gone (410 disables it), and a rule on every WARNING run.
  const receiver = await startHttpReceiver();
  cleanups.push(() => receiver.close());
  const gone = await startHttpReceiver();
  cleanups.push(() => gone.close());
  gone.answer([], 410);
  const channelIds: string[] = [];
  for (const [name, url] of [
    ['Ops webhook', receiver.url('/hooks/scrapedeck')],
    ['Old receiver', gone.url('/hooks')],
  ]) {
    const made = await graphql(
      server.url,
      `mutation($input: CreateAlertChannelInput!) { createAlertChannel(input: $input) { ... on MutationCreateAlertChannelSuccess { data { channel { id } } } } }`,
      { input: { name, kind: 'WEBHOOK', url } },
    );
    channelIds.push(made.createAlertChannel.data.channel.id);
  }
  for (const input of [
    { name: 'Any run warning', kind: 'RUN_WARNING', channelIds },
    { name: 'Volume drops of Green Leaf', kind: 'RUN_WARNING', warningReasons: ['VOLUME_DROP'], scraperId: String(scrapers['green-leaf']), channelIds: [channelIds[0]] },
    { name: 'Three failures in a row', kind: 'CONSECUTIVE_FAILURES', threshold: 3, channelIds: [channelIds[0]] },
    { name: 'Runners down', kind: 'EXPECTED_RUN_MISSING', graceMinutes: 15, channelIds: [] },
  ]) {
    await graphql(server.url, `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { __typename } }`, { input });
  }

  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // The pool replaces a lost idle connection at its next query; only the loss needs saying, and not
  // once the pool is closing (pool.end() resolves before its sockets close, and PostgreSQL stops next).
  let closing = false;
  pool.on('error', (error) => closing || logger.warn({ err: error }, 'idle database connection lost'));
  cleanups.push(() => {
    closing = true;
    return pool.end();
  });
  for (const round of [1, 2]) {
    for (const scraperId of Object.values(scrapers)) {
      await graphql(server.url, `mutation($id: ID!) { triggerRun(scraperId: $id) { __typename } }`, { id: String(scraperId) });
    }
    await waitForRunsToFinish(pool);
    process.stdout.write(`demo runs, round ${round}, done\n`);
  }
  await seedHistory(pool, scrapers['green-leaf']!);
  const { warnedRunId, runId } = await pickRuns(pool);
  const incident = await pool.query(`SELECT id FROM incident ORDER BY id LIMIT 1`);
  const product = await pool.query(`SELECT id FROM product WHERE sku = 'GL-001'`);
  await waitForDeliveries(pool);

  await ensureAdminBuilt();
  const browser: Browser = await launchBrowser();
  cleanups.push(() => browser.close());
  await mkdir(OUT, { recursive: true });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const pages = [
    { name: 'overview', path: '/' },
    { name: 'scrapers', path: '/scrapers' },
    { name: 'runs', path: '/runs' },
    { name: 'products', path: '/products' },
    ...(product.rows[0] ? [{ name: 'product-detail', path: `/products/${product.rows[0].id}` }] : []),
    { name: 'run-detail', path: `/runs/${runId}` },
    { name: 'data-quality', path: '/quality' },
    { name: 'cleanup-queue', path: '/cleanup' },
    { name: 'runners', path: '/runners' },
    { name: 'alerts', path: '/alerts' },
    ...(incident.rows[0] ? [{ name: 'alerts-incident', path: `/alerts?incident=${incident.rows[0].id}` }] : []),
    ...(warnedRunId ? [{ name: 'run-detail-warning', path: `/runs/${warnedRunId}` }] : []),
    { name: 'scraper-detail', path: '/scrapers/green-leaf?days=30' },
    { name: 'log-search', path: '/runs?q=workflow' },
  ];

  for (const viewport of WIDTHS) {
    const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    page.on('console', (message) => message.type() === 'error' && console.error('admin console:', message.text()));
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel('Token').waitFor();
    await page.screenshot({ path: path.join(OUT, `sign-in-${viewport.width}.png`) });
    await signIn(page, baseUrl, adminToken);
    for (const shot of pages) {
      await page.goto(`${baseUrl}${shot.path}`);
      await settle(page);
      if (shot.name.startsWith('run-detail')) await page.locator('.log-row').first().waitFor();
      if (shot.name === 'scraper-detail' || shot.name === 'data-quality') await page.locator('figure.chart canvas').first().waitFor();
      if (shot.name === 'log-search') await page.getByTestId('log-search-results').waitFor();
      const file = path.join(OUT, `${shot.name}-${viewport.width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
    await shootActions(page, baseUrl, viewport.width);
    await context.close();
  }
}

/**
 * The two run pages to photograph, never the same run: `run-detail-warning` is the WARNING run with
 * the most reasons (then the longest log), `run-detail` another run with the most warning and error
 * lines (then the longest log), one that did not end WARNING when there is one, so it shows a run that
 * succeeded or failed. Only runs with a log count: the seeded history has no lines to show.
 */
async function pickRuns(pool: pg.Pool): Promise<{ warnedRunId: number | null; runId: number }> {
  const warned = await pool.query<{ id: number; status: string; last_seq: number }>(
    `SELECT id, status::text, last_seq FROM run WHERE status = 'WARNING' AND last_seq > 0
      ORDER BY jsonb_array_length(warnings) DESC, last_seq DESC, id DESC LIMIT 1`,
  );
  const warnedRun = warned.rows[0] ?? null;
  const other = await pool.query<{ id: number; status: string; last_seq: number }>(
    `SELECT id, status::text, last_seq FROM run WHERE last_seq > 0 AND id IS DISTINCT FROM $1
      ORDER BY status = 'WARNING', warning_count + error_count DESC, last_seq DESC, id DESC LIMIT 1`,
    [warnedRun?.id ?? null],
  );
  const run = other.rows[0];
  if (!run) throw new Error('no demo run with log lines besides the WARNING one');
  for (const [name, picked] of [['run-detail', run], ['run-detail-warning', warnedRun]] as const) {
    if (picked) process.stdout.write(`${name}: run #${picked.id} (${picked.status}, ${picked.last_seq} log lines)\n`);
  }
  return { warnedRunId: warnedRun?.id ?? null, runId: run.id };
}

/**
 * Four weeks of Green Leaf's history before today, so its trend charts have a story to show: runs
 * ended on earlier days, counted into the rollups by the function the server calls when a run ends.
 */
async function seedHistory(pool: pg.Pool, scraperId: number) {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, status, triggered_by, queued_at, started_at, completed_at, duration_seconds, products_found, warning_count, error_count)
     SELECT $1, (CASE WHEN d % 9 = 4 AND n = 1 THEN 'ERROR' WHEN d % 6 = 2 AND n = 0 THEN 'WARNING' ELSE 'SUCCESS' END)::"RunStatus", 'SCHEDULER',
            now() - d * interval '1 day' - n * interval '6 hours' - interval '2 minutes',
            now() - d * interval '1 day' - n * interval '6 hours' - interval '2 minutes',
            now() - d * interval '1 day' - n * interval '6 hours',
            20 + d * 1.5 + n * 4, CASE WHEN d % 9 = 4 AND n = 1 THEN 0 ELSE 15 - (d % 7 = 3)::int * 4 END,
            (d % 6 = 2)::int * 3 + n, (d % 9 = 4)::int * 2
       FROM generate_series(1, 28) d, generate_series(0, 2) n
     RETURNING id`,
    [scraperId],
  );
  const { client, release } = await holdConnection(pool);
  try {
    await addRunsToScraperDays(client, rows.map((r) => r.id));
  } finally {
    release();
  }
}

/** Pages in the middle of an action: a bulk pause with its answers, and a definition the server refused. */
async function shootActions(page: Page, baseUrl: string, width: number) {
  await page.goto(`${baseUrl}/scrapers`);
  await settle(page);
  for (const slug of ['green-leaf', 'sunset-api']) await page.locator(`[data-scraper="${slug}"] input[type="checkbox"]`).check();
  await page.getByRole('button', { name: 'Pause selected' }).click();
  await page.getByTestId('bulk-results').getByText(/^Paused/).waitFor();
  await page.screenshot({ path: path.join(OUT, `scrapers-bulk-${width}.png`), fullPage: true });
  for (const slug of ['green-leaf', 'sunset-api']) await page.locator(`[data-scraper="${slug}"] input[type="checkbox"]`).check();
  await page.getByRole('button', { name: 'Resume selected' }).click();
  await page.getByTestId('bulk-results').getByText(/^Resumed/).waitFor();

  await page.goto(`${baseUrl}/scrapers/green-leaf/edit`);
  await settle(page);
  const editor = page.getByLabel('Definition (YAML)');
  await editor.fill((await editor.inputValue()).replace(/^( {2}price:).*$/m, '$1 12'));
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByTestId('config-problems').waitFor();
  await page.screenshot({ path: path.join(OUT, `scraper-editor-${width}.png`), fullPage: true });
  process.stdout.write(`wrote the bulk action and the scraper editor at ${width} px\n`);
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error('cleanup failed:', error));
}
