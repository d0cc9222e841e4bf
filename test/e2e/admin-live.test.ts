/**
 * The admin in a real browser against a real server and database: sign in, start a run and watch it
 * change state and log live, pause and resume a scraper, filter the log, and a viewer's read-only view.
 * A runner's side is played over GraphQL with a runner key, exactly the calls a runner makes.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import type { GraphQLTestClient } from '../helpers/graphql.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

/** Conditions in the page can take a while on a busy machine; this waits, it does not time anything. */
const POLL = { timeout: 15_000 };

const CLAIM = `mutation { claimRun { ... on MutationClaimRunSuccess { data { id } } } }`;
const APPEND = `mutation($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
  appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { __typename ... on MutationAppendLogsSuccess { data { toSeq } } } }`;
const COMPLETE = `mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 12, productsProcessed: 12 }) { __typename } }`;

const { db, server } = useTestServer();
let browser: Browser;
let context: BrowserContext;
let page: Page;
let runner: GraphQLTestClient;
let baseUrl: string;
let scraperId: number;
let sourceId: number;
let runId: string;
let batch = 0;
/** What the browser refused under the admin's Content-Security-Policy, on every page these tests visit. */
const policyViolations: string[] = [];

async function append(lines: Array<{ level: string; message: string }>) {
  const { appendLogs } = await runner.data(APPEND, { jobId: runId, batchId: `b${++batch}`, logs: lines });
  expect(appendLogs.__typename).toBe('MutationAppendLogsSuccess');
  return appendLogs.data.toSeq as number;
}

const levelOf = (i: number) => (i % 50 === 49 ? 'ERROR' : i % 10 === 9 ? 'WARNING' : 'INFO');
const linesFrom = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ level: levelOf(from + i), message: `fetched page ${from + i}` }));

/** How far the log view is from its end, in pixels. */
const distanceFromEnd = () =>
  page.getByTestId('log-scroll').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  // Scheduled, but on leap days only: a fire time during the tests would queue a run of its own beside theirs.
  ({ scraperId, sourceId } = await seedScraper(db.pool, { slug: 'green-leaf', cron: '0 0 29 2 *' }));
  runner = server.client({ apiKey: (await seedRunner(db.pool, 'runner-one')).apiKey });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('the admin, live', () => {
  it('signs an admin in with a token and refuses a wrong one', async () => {
    await page.goto(`${baseUrl}/scrapers`);
    await page.getByRole('heading', { name: 'Scrapedeck' }).waitFor();
    await page.getByLabel('Token').fill('not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await page.getByLabel('Token').fill(TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the person wanted to go.
    await page.getByRole('heading', { level: 1, name: 'Scrapers' }).waitFor();
    expect(await page.getByTestId('role').textContent()).toBe('Admin');
  });

  it('shows a run started with Run now going QUEUED -> RUNNING -> SUCCESS without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    const card = page.locator('[data-scraper="green-leaf"]');
    await card.getByRole('button', { name: 'Run now' }).click();

    const row = page.getByTestId('runs-table').locator('tbody tr').first();
    await row.locator('[data-status="QUEUED"]').waitFor();
    runId = (await row.getAttribute('data-run-id'))!;
    await card.getByTestId('last-run').locator('[data-status="QUEUED"]').waitFor();

    const { claimRun } = await runner.data(CLAIM);
    expect(claimRun.data.id).toBe(runId);
    await page.locator(`tr[data-run-id="${runId}"] [data-status="RUNNING"]`).waitFor();

    await append(linesFrom(1, 20));
    await runner.data(COMPLETE, { jobId: runId });
    await page.locator(`tr[data-run-id="${runId}"] [data-status="SUCCESS"]`).waitFor();
    await card.getByTestId('last-run').locator('[data-status="SUCCESS"]').waitFor();
    // Counts of the run's 20 lines: 2 warnings, 0 errors.
    expect(await page.locator(`tr[data-run-id="${runId}"] [data-testid="warnings"]`).textContent()).toBe('2');
    expect(await page.evaluate(() => (window as unknown as { marker: string }).marker)).toBe('same page');
  });

  it('says a scraper is already running, links its run, and queues one run after it on request', async () => {
    const card = page.locator('[data-scraper="green-leaf"]');
    await card.getByRole('button', { name: 'Run now' }).click();
    const row = page.getByTestId('runs-table').locator('tbody tr').first();
    await row.locator('[data-status="QUEUED"]').waitFor();
    const first = (await row.getAttribute('data-run-id'))!;

    await card.getByRole('button', { name: 'Run now' }).click();
    const notice = card.getByTestId('run-in-progress');
    await notice.filter({ hasText: `Already queued: run #${first}` }).waitFor();
    expect(await notice.getByRole('link', { name: `run #${first}` }).getAttribute('href')).toBe(`/runs/${first}`);

    expect((await runner.data(CLAIM)).claimRun.data.id).toBe(first);
    await card.getByRole('button', { name: 'Run now' }).click();
    await notice.filter({ hasText: `Already running: run #${first}` }).waitFor();
    await notice.getByRole('button', { name: 'Queue a run after it' }).click();
    await page.getByTestId('runs-table').locator('tbody tr').first().locator('[data-status="QUEUED"]').waitFor();
    const next = (await page.getByTestId('runs-table').locator('tbody tr').first().getAttribute('data-run-id'))!;
    expect(next).not.toBe(first);
    // The queued run waits for the running one.
    expect((await runner.data(CLAIM)).claimRun).toBeNull();
    await runner.data(COMPLETE, { jobId: first });
    expect((await runner.data(CLAIM)).claimRun.data.id).toBe(next);
    await runner.data(COMPLETE, { jobId: next });
    await page.locator(`tr[data-run-id="${next}"] [data-status="SUCCESS"]`).waitFor();
  });

  it('streams log lines of a running run into the viewer and follows them', async () => {
    await page.locator('[data-scraper="green-leaf"]').getByRole('button', { name: 'Run now' }).click();
    const row = page.getByTestId('runs-table').locator('tbody tr').first();
    await row.locator('[data-status="QUEUED"]').waitFor();
    runId = (await row.getAttribute('data-run-id'))!;
    expect((await runner.data(CLAIM)).claimRun.data.id).toBe(runId);
    batch = 0;

    await row.getByRole('link', { name: `#${runId}` }).click();
    await page.getByRole('heading', { level: 1, name: `Scraper green-leaf · run #${runId}` }).waitFor();
    await page.getByTestId('run-status').locator('[data-status="RUNNING"]').waitFor();
    await page.getByText('No log lines yet.').waitFor();

    let last = 0;
    for (let i = 0; i < 4; i++) last = await append(linesFrom(last + 1, 100));
    await page.locator(`.log-row[data-seq="${last}"]`).waitFor();
    await expect.poll(distanceFromEnd, POLL).toBeLessThan(40);
    expect(await page.getByTestId('follow').isChecked()).toBe(true);
    expect(await page.getByTestId('log-summary').textContent()).toContain('400 lines');
  });

  it('stops following when the reader scrolls up, counts the new lines, and resumes on request', async () => {
    await page.getByTestId('log-scroll').evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => page.getByTestId('follow').isChecked(), POLL).toBe(false);
    await page.locator('.log-row[data-seq="1"]').waitFor();

    const last = await append(linesFrom(401, 7));
    await page.getByTestId('new-lines').filter({ hasText: '7 new lines' }).waitFor();
    // Still where the reader left it.
    expect(await page.getByTestId('log-scroll').evaluate((el) => el.scrollTop)).toBe(0);

    await page.getByTestId('new-lines').click();
    await page.locator(`.log-row[data-seq="${last}"]`).waitFor();
    await expect.poll(distanceFromEnd, POLL).toBeLessThan(40);
    expect(await page.getByTestId('follow').isChecked()).toBe(true);
    expect(await page.getByTestId('new-lines').count()).toBe(0);
  });

  it('filters the log by minimum level and by text', async () => {
    await page.getByTestId('min-level').selectOption('ERROR');
    // Lines 49, 99, ... 399 are the errors among 407.
    await expect.poll(() => page.getByTestId('log-summary').textContent(), POLL).toContain('8 of 407 lines');
    const levels = await page.locator('.log-row__level').allTextContents();
    expect(levels.length).toBe(8);
    expect(new Set(levels)).toEqual(new Set(['ERROR']));

    await page.getByTestId('min-level').selectOption('WARNING');
    await page.getByTestId('log-text').fill('page 199');
    await expect.poll(() => page.locator('.log-row').count(), POLL).toBe(1);
    expect(await page.locator('.log-row__message').textContent()).toBe('fetched page 199');

    await page.getByTestId('log-text').fill('');
    await page.getByTestId('min-level').selectOption('DEBUG');
    await expect.poll(() => page.getByTestId('log-summary').textContent(), POLL).toContain('407 lines');

    // The download is the server's export: the whole log, whatever the filters show, unless asked for the filtered lines.
    await page.getByTestId('min-level').selectOption('ERROR');
    await expect.poll(() => page.getByTestId('log-summary').textContent(), POLL).toContain('8 of 407');
    const all = page.getByRole('button', { name: 'Download all 407 lines' });
    const [download] = await Promise.all([page.waitForEvent('download'), all.click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^scrapedeck-run-${runId}-logs-.*\\.txt$`));
    const lines = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBe(407);
    expect(lines[0]).toMatch(/^1\t\S+\tINFO\tfetched page 1$/);
    expect(lines[48]).toMatch(/^49\t\S+\tERROR\tfetched page 49$/);

    await page.getByTestId('filtered-only').check();
    const [filtered] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download filtered lines' }).click()]);
    const errorLines = (await readFile((await filtered.path())!, 'utf8')).trimEnd().split('\n');
    expect(errorLines.length).toBe(8);
    expect(errorLines.every((line) => line.split('\t')[2] === 'ERROR')).toBe(true);
    await page.getByTestId('min-level').selectOption('DEBUG');
    await expect.poll(() => page.getByTestId('log-summary').textContent(), POLL).toContain('407 lines');
    await runner.data(COMPLETE, { jobId: runId });
    await page.getByTestId('run-status').locator('[data-status="SUCCESS"]').waitFor();
  });

  it('pauses and resumes a scraper', async () => {
    await page.getByRole('link', { name: 'Scrapers' }).click();
    const card = page.locator('[data-scraper="green-leaf"]');
    await card.getByRole('button', { name: 'Pause' }).click();
    await card.getByText('Paused', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Resume' }).waitFor();
    expect((await db.pool.query('SELECT paused FROM scraper WHERE id = $1', [scraperId])).rows[0].paused).toBe(true);

    await card.getByRole('button', { name: 'Resume' }).click();
    await card.getByText('Active', { exact: true }).waitFor();
    expect((await db.pool.query('SELECT paused FROM scraper WHERE id = $1', [scraperId])).rows[0].paused).toBe(false);
  });

  it('edits the schedule and shows the server’s validation issues at their fields', async () => {
    await page.locator('[data-scraper="green-leaf"]').getByRole('link', { name: 'Edit definition' }).click();
    await page.getByRole('heading', { level: 1, name: /Edit scraper/ }).waitFor();
    await page.getByLabel('Cron', { exact: true }).fill('not a cron');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const cron = page.getByLabel('Cron', { exact: true });
    await expect.poll(() => cron.getAttribute('aria-invalid'), POLL).toBe('true');
    expect(await page.locator('#scraper-cron-problem').textContent()).toContain('expected 5 fields: minute hour day-of-month month day-of-week');
    // The field with the problem takes focus, so that a keyboard user is where the fix goes.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('scraper-cron');

    await cron.fill('0 6 * * *');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Scrapers' }).waitFor();
    await page.locator('[data-scraper="green-leaf"]').getByText('0 6 * * *').waitFor();
    const { rows } = await db.pool.query('SELECT cron, timezone FROM scraper WHERE id = $1', [scraperId]);
    expect(rows[0]).toEqual({ cron: '0 6 * * *', timezone: 'Europe/Berlin' });
  });

  it('keeps the overview live: a new run appears on top and the running count follows it', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.getByTestId('running-now').textContent()).toBe('0');

    const { triggerRun } = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, {
      id: String(scraperId),
    });
    runId = triggerRun.data.id;
    const row = page.getByTestId('runs-table').locator('tbody tr').first();
    await page.locator(`tr[data-run-id="${runId}"] [data-status="QUEUED"]`).waitFor();
    expect(await row.getAttribute('data-run-id')).toBe(runId);
    expect((await runner.data(CLAIM)).claimRun.data.id).toBe(runId);
    await page.getByTestId('running-now').filter({ hasText: '1' }).waitFor();
    await runner.data(COMPLETE, { jobId: runId });
    await page.locator(`tr[data-run-id="${runId}"] [data-status="SUCCESS"]`).waitFor();
    await page.getByTestId('running-now').filter({ hasText: '0' }).waitFor();
  });

  it('approves one flag and dismisses the rest of the cleanup queue at once', async () => {
    const flagIds: number[] = [];
    for (const [sku, kind] of [['a', 'PRICE_OUTLIER'], ['b', 'DUPLICATE'], ['c', 'MISSING_FIELD']] as const) {
      const { rows: products } = await db.pool.query(
        `INSERT INTO product (source_id, sku, name, price, scraped_at) VALUES ($1, $2, $3, 10, now()) RETURNING id`,
        [sourceId, `sku-${sku}`, `Product ${sku}`],
      );
      const { rows } = await db.pool.query(`INSERT INTO flag (kind, product_id, detail) VALUES ($1::"FlagKind", $2, $3) RETURNING id`, [
        kind,
        products[0].id,
        `detail of ${sku}`,
      ]);
      flagIds.push(rows[0].id);
    }
    await page.getByRole('link', { name: 'Cleanup queue' }).click();
    await page.getByRole('row').filter({ hasText: 'Product a' }).getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(2);

    await page.getByLabel('Select all flags on this page').check();
    await page.getByRole('button', { name: 'Dismiss selected' }).click();
    await page.getByText('Nothing to clean up here.').waitFor();
    const { rows } = await db.pool.query(`SELECT id, status::text FROM flag WHERE id = ANY($1) ORDER BY id`, [flagIds]);
    expect(rows.map((r) => r.status)).toEqual(['APPROVED', 'DISMISSED', 'DISMISSED']);
  });

  it('filters the run history and pages through it with cursors', async () => {
    for (let i = 0; i < 30; i++) await insertRun(db.pool, { scraperId, status: 'ERROR', queuedMinutesAgo: 60 + i, completedMinutesAgo: 59 + i, durationSeconds: 3 });
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByLabel('Status').selectOption('ERROR');
    await expect.poll(() => page.locator('tbody tr [data-status="ERROR"]').count(), POLL).toBe(25);
    expect(await page.locator('tbody tr').count()).toBe(25);
    const firstPage = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));

    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(5);
    const secondPage = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')));
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    expect(await page.getByRole('button', { name: 'Next', exact: true }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Previous', exact: true }).click();
    await expect.poll(() => page.locator('tbody tr').count(), POLL).toBe(25);
    await page.getByLabel('Status').selectOption('CANCELLED');
    await page.getByText('No runs match these filters.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Trigger').selectOption('SCHEDULER');
    await page.getByText('No runs match these filters.').waitFor();
  });

  it('shows a viewer every page without a single mutating button', async () => {
    const viewerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const viewer = await viewerContext.newPage();
      viewer.setDefaultTimeout(20_000);
      const viewerToken = await seedToken(db.pool, 'VIEWER');
      await signIn(viewer, baseUrl, viewerToken.token);
      expect(await viewer.getByTestId('role').textContent()).toBe('Viewer (read only)');

      await viewer.getByRole('link', { name: 'Scrapers' }).click();
      await viewer.locator('[data-scraper="green-leaf"]').waitFor();
      for (const name of ['Run now', 'Pause', 'Resume']) {
        expect(await viewer.getByRole('button', { name }).count(), name).toBe(0);
      }
      for (const name of ['Edit definition', 'New scraper']) {
        expect(await viewer.getByRole('link', { name }).count(), name).toBe(0);
      }
      await viewer.getByRole('link', { name: `#${runId}` }).first().click();
      await viewer.getByTestId('run-status').waitFor();
      expect(await viewer.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
      await viewer.getByRole('link', { name: 'Cleanup queue' }).click();
      await viewer.getByRole('heading', { level: 1, name: 'Cleanup queue' }).waitFor();
      expect(await viewer.getByRole('button', { name: /Approve|Dismiss/ }).count()).toBe(0);

      // A token revoked while in use: the server closes the live connection, and the admin sends the
      // person back to sign in without waiting for their next click.
      await viewer.getByRole('link', { name: 'Overview' }).click();
      await viewer.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      await server.admin.data(`mutation($id: ID!) { revokeToken(id: $id) { __typename } }`, { id: String(viewerToken.tokenId) });
      await viewer.getByRole('button', { name: 'Sign in' }).waitFor();
    } finally {
      await viewerContext.close();
    }
  });
  it('colours each scraper’s success rate: green from 90%, yellow from 70%, red below', async () => {
    const rates = { 'rate-high': [19, 1], 'rate-mid': [15, 5], 'rate-low': [10, 10] } as const;
    for (const [slug, [good, bad]] of Object.entries(rates)) {
      const { scraperId } = await seedScraper(db.pool, { slug });
      for (let i = 0; i < good + bad; i++) {
        await insertRun(db.pool, { scraperId, status: i < good ? 'SUCCESS' : 'ERROR', queuedMinutesAgo: 100 + i, completedMinutesAgo: 99 + i, durationSeconds: 2 });
      }
    }
    await page.goto(`${baseUrl}/scrapers`);
    const badge = (slug: string) => page.locator(`[data-scraper="${slug}"] .scraper-card__head .badge`);
    await badge('rate-high').waitFor();
    expect([await badge('rate-high').textContent(), await badge('rate-high').getAttribute('class')]).toEqual(['95% success', 'badge badge--good']);
    expect([await badge('rate-mid').textContent(), await badge('rate-mid').getAttribute('class')]).toEqual(['75% success', 'badge badge--warn']);
    expect([await badge('rate-low').textContent(), await badge('rate-low').getAttribute('class')]).toEqual(['50% success', 'badge badge--bad']);
  });
  it('cancels a queued run from its page, and the status changes there live', async () => {
    const { triggerRun } = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, {
      id: String(scraperId),
    });
    await page.goto(`${baseUrl}/runs/${triggerRun.data.id}`);
    await page.getByTestId('run-status').locator('[data-status="QUEUED"]').waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByTestId('run-status').locator('[data-status="CANCELLED"]').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
  });

  it('ran every page above without a Content-Security-Policy violation', () => {
    expect(policyViolations).toEqual([]);
  });
});
