/**
 * Times say their zone and follow the person's choice of local time or UTC, remembered across reloads;
 * a relative time shows its exact time to the keyboard too; a finished run without lines says so;
 * the sign-in page focuses its token, can keep the person signed in for the browser, and signing out
 * in one tab signs out the others.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? null);

describe('times at 1280 px, in a browser set to Berlin', () => {
  let context: BrowserContext;
  let page: Page;
  const slug = 'times-green-leaf';
  let scraperId: number;
  let runId: number;

  beforeAll(async () => {
    ({ scraperId } = await seedScraper(db.pool, { slug }));
    runId = await insertRun(db.pool, { scraperId, status: 'SUCCESS', completedMinutesAgo: 1, durationSeconds: 3 });
    await db.pool.query(`UPDATE run SET queued_at = '2026-12-06T03:16:31Z' WHERE id = $1`, [runId]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  });

  afterAll(async () => {
    await context?.close();
  });

  it('states the zone of a table time, switches it to UTC and keeps UTC after a reload', async () => {
    await page.goto(`${baseUrl}/runs`);
    const queued = page.locator(`tr[data-run-id="${runId}"] td[data-label="Queued"]`);
    await queued.filter({ hasText: 'Dec 6, 2026, 4:16:31 AM GMT+1' }).waitFor();
    expect(await queued.locator('time').getAttribute('datetime')).toBe('2026-12-06T03:16:31.000Z');

    await page.getByLabel('Times in').selectOption('utc');
    await queued.filter({ hasText: 'Dec 6, 2026, 3:16:31 AM UTC' }).waitFor();

    await page.reload();
    await queued.filter({ hasText: 'Dec 6, 2026, 3:16:31 AM UTC' }).waitFor();
    expect(await page.getByLabel('Times in').inputValue()).toBe('utc');
    expect(await page.evaluate(() => localStorage.getItem('scrapedeck.timeZone'))).toBe('utc');
  });

  it('shows the exact time of a relative time on focus as on hover', async () => {
    await page.goto(`${baseUrl}/scrapers`);
    const relative = page.locator(`[data-scraper="${slug}"] time.relative-time`);
    await relative.waitFor();
    expect(await relative.textContent()).toMatch(/ago$/);
    expect(await relative.getAttribute('title')).toBe('Dec 6, 2026, 3:16:31 AM UTC');
    await relative.focus();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('relative-time'))).toBe(true);
    const shown = await relative.evaluate((element) => getComputedStyle(element, '::after').content);
    expect(shown).toBe('"Dec 6, 2026, 3:16:31 AM UTC"');
  });

  it('says a finished run without lines logged none', async () => {
    await page.goto(`${baseUrl}/runs/${runId}`);
    await page.getByText('This run logged no lines.').waitFor();
    expect(await page.getByText('No log lines yet.').count()).toBe(0);
  });

  it('keeps compact log times and states their date and zone in the log header and on hover', async () => {
    const runner = await seedRunner(db.pool);
    const jobId = await claimRunFor(server, scraperId, runner.apiKey);
    const client = server.client({ apiKey: runner.apiKey });
    for (const batchId of ['b1', 'b2']) {
      const logs = Array.from({ length: 600 }, (_, i) => ({ level: 'INFO', message: `${batchId} line ${i}` }));
      expect((await client.data(APPEND, { jobId, batchId, logs })).appendLogs.__typename).toBe('MutationAppendLogsSuccess');
    }
    await page.goto(`${baseUrl}/runs/${jobId}`);
    const last = page.locator('.log-row[data-seq="1200"] time');
    await last.waitFor();
    expect(await last.textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    expect(await last.getAttribute('title')).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d [AP]M UTC$/);
    expect(await page.getByTestId('log-day').textContent()).toMatch(/times from [A-Z][a-z]{2} \d{1,2}, \d{4} \(UTC\)$/);
    // The facts count lines the one way every figure is written.
    await page.getByTestId('log-line-facts').filter({ hasText: /^1,200 \(0 warnings, 0 errors\)$/ }).waitFor();

    await page.getByLabel('Times in').selectOption('local');
    await page.getByTestId('log-day').filter({ hasText: /\(GMT\+1\)$/ }).waitFor();
    expect(await last.getAttribute('title')).toMatch(/GMT\+1$/);
    await db.pool.query(`UPDATE run SET status = 'CANCELLED', completed_at = now() WHERE id = $1`, [jobId]);
  });
});

describe('sign-in at 1280 px', () => {
  it('puts the cursor in the token field when the page loads', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${baseUrl}/`);
      await page.getByLabel('Token').waitFor();
      expect(await focusedId(page)).toBe('token');
    } finally {
      await context.close();
    }
  });

  it('keeps a tab-only session out of a new tab, and a kept one in it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const first = await context.newPage();
      await signIn(first, baseUrl, TEST_ADMIN_TOKEN);
      const second = await context.newPage();
      await second.goto(`${baseUrl}/runs`);
      await second.getByLabel('Token').waitFor();
      await second.close();

      await first.getByRole('button', { name: 'Sign out' }).click();
      await first.getByLabel('Token').fill(TEST_ADMIN_TOKEN);
      await first.getByLabel('Keep me signed in').check();
      await first.getByRole('button', { name: 'Sign in' }).click();
      await first.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

      const third = await context.newPage();
      await third.goto(`${baseUrl}/runs`);
      await third.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
      expect(await third.getByLabel('Token').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('signs out every tab when one tab signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const first = await context.newPage();
      await first.goto(`${baseUrl}/`);
      await first.getByLabel('Token').fill(TEST_ADMIN_TOKEN);
      await first.getByLabel('Keep me signed in').check();
      await first.getByRole('button', { name: 'Sign in' }).click();
      await first.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      const second = await context.newPage();
      await second.goto(`${baseUrl}/runs`);
      await second.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();

      await first.getByRole('button', { name: 'Sign out' }).click();
      await first.getByLabel('Token').waitFor();
      await second.getByLabel('Token').waitFor();
      expect(new URL(second.url()).pathname).toBe('/sign-in');
      expect(await second.evaluate(() => localStorage.getItem('scrapedeck.session'))).toBeNull();
    } finally {
      await context.close();
    }
  });
});
