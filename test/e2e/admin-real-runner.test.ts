/**
 * The admin against everything real at once: server, database, the demo shop sites and a runner
 * process. Run now on a scraper that takes a few seconds, see its status change in the table and its
 * log arrive in the viewer while it runs, see the runner on the runners page, drive it by keyboard
 * and check text contrast on every page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { contrastProblems } from '../helpers/contrast.ts';
import { registerDemoScrapers, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

/** Conditions in the page can take a while on a busy machine; this waits, it does not time anything. */
const POLL = { timeout: 15_000 };

const CREATE_RUNNER = `mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`;

const { db, server } = useTestServer();
let sites: FixtureSites;
let runner: TestRunner;
let runnerKey: string;
let browser: Browser;
let page: Page;
let runId: string;

beforeAll(async () => {
  await ensureAdminBuilt();
  sites = await startFixtureSites();
  await registerDemoScrapers(db.url, sites);
  const created = await server.admin.data(CREATE_RUNNER, { name: 'e2e-runner' });
  runnerKey = created.createRunner.data.apiKey;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  await signIn(page, `http://127.0.0.1:${server.port}`, TEST_ADMIN_TOKEN);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await runner?.stop();
  await sites?.stop();
});

/**
 * The newest run of the slow farm: the demo's other scrapers have schedules of their own, and a run
 * they queue on a quarter hour would otherwise take the table's first row.
 */
const slowFarmRow = () => page.getByTestId('runs-table').locator('tbody tr').filter({ hasText: 'Slow Farm' }).first();

describe('the admin with a real runner', () => {
  it('shows Run now going QUEUED -> RUNNING -> finished in the table, live', async () => {
    await page.getByRole('link', { name: 'Scrapers' }).click();
    const card = page.locator('[data-scraper="slow-farm"]');
    // Every status the newest row shows is recorded in the page as it renders.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      const record = () => {
        const row = [...document.querySelectorAll('[data-testid="runs-table"] tbody tr')].find((tr) => tr.textContent?.includes('Slow Farm'));
        const badge = row?.querySelector('[data-status]');
        const status = badge?.getAttribute('data-status');
        if (status && seen.at(-1) !== status) seen.push(status);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await card.getByRole('button', { name: 'Run now' }).click();
    const row = slowFarmRow();
    await row.locator('[data-status="QUEUED"]').waitFor();
    // The runner starts only now, so that QUEUED is on screen before any runner can take the run.
    runner = await startRunner({ apiUrl: server.httpUrl, apiKey: runnerKey, name: 'e2e-runner' });
    await row.locator('[data-status="RUNNING"]').waitFor();
    runId = (await row.getAttribute('data-run-id'))!;
    await row.locator('[data-status="WARNING"], [data-status="SUCCESS"]').waitFor();
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.slice(0, 2)).toEqual(['QUEUED', 'RUNNING']);
    expect(seen.length).toBe(3);
    expect(['SUCCESS', 'WARNING']).toContain(seen.at(-1));
    expect(runner.claimedJobs()).toContain(runId);
  }, 60_000);

  it('shows the log of a running run growing in the viewer, following the end', async () => {
    await page.locator('[data-scraper="slow-farm"]').getByRole('button', { name: 'Run now' }).click();
    const row = slowFarmRow();
    await row.locator('[data-status="RUNNING"]').waitFor();
    runId = (await row.getAttribute('data-run-id'))!;
    await row.getByRole('link', { name: `#${runId}` }).click();
    await page.getByTestId('run-status').locator('[data-status="RUNNING"]').waitFor();
    const whileRunning = await page.locator('.log-row').count();

    await page.getByTestId('run-status').locator('[data-status="WARNING"], [data-status="SUCCESS"]').waitFor();
    const lastSeq = (await db.pool.query('SELECT last_seq FROM run WHERE id = $1', [runId])).rows[0].last_seq as number;
    await page.locator(`.log-row[data-seq="${lastSeq}"]`).waitFor();
    expect(lastSeq).toBeGreaterThan(whileRunning);
    expect(await page.getByTestId('follow').isChecked()).toBe(true);
    // The viewer shows the runner's own words, in its order.
    const shipped = runner.jobLines(runId).map((l) => l.message);
    const shown = await page.locator('.log-row__message').allTextContents();
    expect(shipped.slice(-shown.length)).toEqual(shown);
  }, 60_000);

  it('lists the runner as connected on the runners page', async () => {
    await page.getByRole('link', { name: 'Runners' }).click();
    const row = page.getByRole('row').filter({ hasText: 'e2e-runner' });
    await row.getByText('Connected').waitFor();
  });

  it('starts a run with the keyboard alone: skip link, then Tab to Run now and Enter', async () => {
    await page.goto(`http://127.0.0.1:${server.port}/scrapers`);
    await page.locator('[data-scraper="slow-farm"]').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const slowFarmRuns = async () =>
      (await db.pool.query(`SELECT count(*)::int AS n FROM run r JOIN scraper s ON s.id = r.scraper_id WHERE s.slug = 'slow-farm'`)).rows[0].n as number;
    const runs = await slowFarmRuns();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => ({
        text: document.activeElement?.textContent,
        scraper: document.activeElement?.closest('[data-scraper]')?.getAttribute('data-scraper'),
      }));
      if (focused.text === 'Run now' && focused.scraper === 'slow-farm') break;
    }
    await page.keyboard.press('Enter');
    await expect.poll(slowFarmRuns, POLL).toBe(runs + 1);
    await slowFarmRow().locator('[data-status="WARNING"], [data-status="SUCCESS"]').waitFor();
  }, 60_000);

  it('meets WCAG AA text contrast on every page at 1280 and 390 px', async () => {
    const problems: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [link, heading] of [
        ['Overview', 'Overview'],
        ['Scrapers', 'Scrapers'],
        ['Runs', 'Runs'],
        ['Products', 'Products'],
        ['Data quality', 'Data quality'],
        ['Cleanup queue', 'Cleanup queue'],
        ['Runners', 'Runners'],
        ['Alerts', 'Alerts'],
      ]) {
        await page.getByRole('link', { name: link, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        // A page may load several parts at once (the cleanup queue: held runs and flags).
        await page.waitForFunction(() => !document.querySelector('.state--loading'));
        problems.push(...(await contrastProblems(page)).map((p) => `${link} at ${width}px: ${p}`));
      }
      await page.getByRole('link', { name: 'Runs', exact: true }).click();
      await page.getByTestId('runs-table').getByRole('link').first().click();
      await page.locator('.log-row').first().waitFor();
      problems.push(...(await contrastProblems(page)).map((p) => `run detail at ${width}px: ${p}`));
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
