/**
 * At 1280 and 390 px: a scraper's Run now, Pause and Resume keep the keyboard focus and say what they
 * did in a live region; a running run's facts follow its live log; every figure on the overview opens
 * the list it counts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { claimRunFor, insertRun } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const APPEND = `mutation($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
  appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { __typename } }`;

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe.each([1280, 390])('at %i px', (width) => {
  let page: Page;
  const slug = `green-leaf-${width}`;
  const name = `Scraper ${slug}`;
  let scraperId: number;
  const card = () => page.locator(`[data-scraper="${slug}"]`);
  const focusedText = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? null);
  const focusedCard = () => page.evaluate(() => document.activeElement?.closest('[data-scraper]')?.getAttribute('data-scraper') ?? null);

  beforeAll(async () => {
    ({ scraperId } = await seedScraper(db.pool, { slug }));
    page = await browser.newPage({ viewport: { width, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('keeps the focus on Pause, Resume and Run now pressed with the keyboard, and announces each', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scrapers', exact: true }).click();
    const announcement = card().getByTestId('card-announcement');
    expect(await announcement.getAttribute('role')).toBe('status');

    await card().getByRole('button', { name: 'Pause', exact: true }).focus();
    await page.keyboard.press('Enter');
    await announcement.filter({ hasText: `${name} paused` }).waitFor();
    await card().getByRole('button', { name: 'Resume', exact: true }).waitFor();
    expect(await focusedText()).toBe('Resume');
    expect(await focusedCard()).toBe(slug);
    expect((await db.pool.query('SELECT paused FROM scraper WHERE id = $1', [scraperId])).rows[0].paused).toBe(true);

    await page.keyboard.press('Enter');
    await announcement.filter({ hasText: `${name} resumed` }).waitFor();
    await card().getByRole('button', { name: 'Pause', exact: true }).waitFor();
    expect(await focusedText()).toBe('Pause');
    expect(await focusedCard()).toBe(slug);

    await card().getByRole('button', { name: 'Run now', exact: true }).focus();
    await page.keyboard.press('Enter');
    await announcement.filter({ hasText: new RegExp(`^${name}: run #\\d+ queued$`) }).waitFor();
    expect(await focusedText()).toBe('Run now');
    expect(await focusedCard()).toBe(slug);
    const runId = /#(\d+)/.exec((await announcement.textContent())!)![1];
    expect((await db.pool.query('SELECT status::text FROM run WHERE id = $1', [runId])).rows[0].status).toBe('QUEUED');
    // Out of the queue, so that the next test claims its own run.
    await db.pool.query(`UPDATE run SET status = 'CANCELLED', completed_at = now() WHERE id = $1`, [runId]);
  });

  it('updates the log-line facts of a running run with each batch the runner sends', async () => {
    const runner = await seedRunner(db.pool);
    const jobId = await claimRunFor(server, scraperId, runner.apiKey);
    const client = server.client({ apiKey: runner.apiKey });
    const append = async (batchId: string, levels: string[]) => {
      const { appendLogs } = await client.data(APPEND, { jobId, batchId, logs: levels.map((level, i) => ({ level, message: `${batchId} line ${i}` })) });
      expect(appendLogs.__typename).toBe('MutationAppendLogsSuccess');
    };
    await page.goto(`${baseUrl}/runs/${jobId}`);
    await page.getByTestId('run-status').locator('[data-status="RUNNING"]').waitFor();
    const facts = page.getByTestId('log-line-facts');
    await facts.filter({ hasText: /^0 \(0 warnings, 0 errors\)$/ }).waitFor();

    await append('first', ['INFO', 'WARNING', 'INFO']);
    await facts.filter({ hasText: /^3 \(1 warning, 0 errors\)$/ }).waitFor();
    await append('second', ['ERROR', 'CRITICAL', 'WARNING', 'INFO']);
    await facts.filter({ hasText: /^7 \(2 warnings, 2 errors\)$/ }).waitFor();
    // Still running: the facts followed the log, not a change of the run's state.
    expect(await page.getByTestId('run-status').locator('[data-status="RUNNING"]').count()).toBe(1);
    await db.pool.query(`UPDATE run SET status = 'CANCELLED', completed_at = now() WHERE id = $1`, [jobId]);
  });

  it('opens the list each overview figure counts', async () => {
    const failing = await seedScraper(db.pool, { slug: `failing-${width}` });
    await insertRun(db.pool, { scraperId: failing.scraperId, status: 'ERROR', queuedMinutesAgo: 5, completedMinutesAgo: 4, durationSeconds: 2 });
    const overview = async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    };
    const figure = (label: string) => page.getByRole('region', { name: 'Figures' }).or(page.getByTestId('health-overview')).getByRole('link', { name: label, exact: true });
    const heading = (text: string) => page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();

    await overview();
    await figure('Pending flags').click();
    await heading('Cleanup queue');
    expect(new URL(page.url()).pathname).toBe('/cleanup');

    await overview();
    await figure('Running now').click();
    await heading('Runs');
    expect(new URL(page.url()).search).toBe('?status=RUNNING');
    expect(await page.getByLabel('Status').inputValue()).toBe('RUNNING');

    await overview();
    await figure('Products').click();
    await heading('Products');

    await overview();
    await figure('Price outliers').click();
    await page.getByRole('heading', { level: 2, name: 'Price outliers' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/quality');

    await overview();
    await figure('Failing').click();
    await heading('Scrapers');
    await page.getByTestId('health-filter').filter({ hasText: /failing over 7 days/ }).waitFor();
    await page.locator(`[data-scraper="failing-${width}"]`).waitFor();
    expect(await page.locator(`[data-scraper="${slug}"]`).count()).toBe(0);

    for (const [label, state] of [['Healthy', 'HEALTHY'], ['Degraded', 'DEGRADED'], ['No data', 'NO_DATA']] as const) {
      await overview();
      await figure(label).click();
      await heading('Scrapers');
      expect(new URL(page.url()).search).toBe(`?health=${state}`);
      await page.getByTestId('health-filter').waitFor();
      expect(await page.locator(`[data-scraper="failing-${width}"]`).count()).toBe(0);
    }
    // A run that only queued and was cancelled leaves no ended run: no data.
    await page.locator(`[data-scraper="${slug}"]`).waitFor();
    await page.getByTestId('health-filter').getByRole('link', { name: 'Show all' }).click();
    await page.locator(`[data-scraper="failing-${width}"]`).waitFor();
  });
});
