/**
 * `npm run screenshots`: starts a throwaway Scrapedeck (embedded PostgreSQL, the demo shop sites, a
 * runner), runs every demo scraper once, and photographs each admin page at 1280 and 390 px wide
 * into docs/screenshots/.
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
import { createLogger } from '../server/logger.ts';
import { startServer } from '../server/server.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../test/helpers/browser.ts';
import { registerDemoScrapers, startFixtureSites } from '../test/helpers/fixtures.ts';
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

  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false' }), port: 0, host: '127.0.0.1' };
  const server = await startServer({ config, databaseUrl: database.url, adminToken, logger });
  cleanups.push(() => server.stop());
  const sites = await startFixtureSites();
  cleanups.push(() => sites.stop());
  const scrapers = await registerDemoScrapers(database.url, sites);

  const created = await graphql(server.url, `mutation { createRunner(name: "runner-eu-1") { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`);
  const runner = await startRunner({ apiUrl: server.url, apiKey: created.createRunner.data.apiKey, name: 'runner-eu-1' });
  cleanups.push(() => runner.stop());

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
  const { rows } = await pool.query(`SELECT id FROM run ORDER BY warning_count + error_count DESC, last_seq DESC, id DESC LIMIT 1`);
  const runId = rows[0].id as number;

  await ensureAdminBuilt();
  const browser: Browser = await launchBrowser();
  cleanups.push(() => browser.close());
  await mkdir(OUT, { recursive: true });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const pages = [
    { name: 'overview', path: '/' },
    { name: 'scrapers', path: '/scrapers' },
    { name: 'runs', path: '/runs' },
    { name: 'run-detail', path: `/runs/${runId}` },
    { name: 'data-quality', path: '/quality' },
    { name: 'cleanup-queue', path: '/cleanup' },
    { name: 'runners', path: '/runners' },
  ];

  for (const viewport of WIDTHS) {
    const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel('Token').waitFor();
    await page.screenshot({ path: path.join(OUT, `sign-in-${viewport.width}.png`) });
    await signIn(page, baseUrl, adminToken);
    for (const shot of pages) {
      await page.goto(`${baseUrl}${shot.path}`);
      await settle(page);
      if (shot.name === 'run-detail') await page.locator('.log-row').first().waitFor();
      const file = path.join(OUT, `${shot.name}-${viewport.width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
    await context.close();
  }
}

try {
  await main();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error('cleanup failed:', error));
}
