/**
 * Fleet work in the admin: a runner that waits for work shows Connected without calling again, an
 * admin gives it labels on the Runners page (at 1280 and 390 px), and a run that asks for a label no
 * runner holds says what it waits for.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../scrapers/runner/apiClient.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const WINDOW_SECONDS = 2;
const { db, server } = useTestServer({ runnerOnlineWindowSeconds: WINDOW_SECONDS, runnerPresenceSweepSeconds: 0.5 });
let browser: Browser;
let page: Page;
const hangUp = new AbortController();

beforeAll(async () => {
  await ensureAdminBuilt();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  await signIn(page, `http://127.0.0.1:${server.port}`, TEST_ADMIN_TOKEN);
}, 60_000);

afterAll(async () => {
  hangUp.abort();
  await browser?.close();
});

describe('runners and their labels in the admin', () => {
  it('shows a waiting runner Connected past the online window, and sets its labels', async () => {
    const box = await seedRunner(db.pool, 'eu-box');
    const waiting = new ApiClient(server.httpUrl, box.apiKey).claimRun({ waitSeconds: 60, labels: null }, hangUp.signal).catch(() => null);
    await page.getByRole('link', { name: 'Runners' }).click();
    const row = page.getByRole('row').filter({ hasText: 'eu-box' });
    await row.getByText('Connected').waitFor();
    // Well past the window since its one call: the held wait is what keeps it connected.
    await new Promise((resolve) => setTimeout(resolve, (WINDOW_SECONDS + 2) * 1000));
    await page.reload();
    await row.getByText('Connected').waitFor();
    await expect(row.getByTestId('runner-labels').innerText()).resolves.toContain('any run');

    await row.getByRole('button', { name: 'Edit the labels of eu-box' }).click();
    await row.getByRole('textbox').fill('EU West');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('alert').filter({ hasText: 'lowercase' }).waitFor();
    await row.getByRole('textbox').fill('eu, residential');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.locator('.label-chip', { hasText: 'residential' }).waitFor();
    expect(await row.locator('.label-chip').allInnerTexts()).toEqual(['eu', 'residential']);
    expect((await db.pool.query(`SELECT labels FROM runner WHERE id = $1`, [box.runnerId])).rows[0].labels).toEqual(['eu', 'residential']);

    // The form fits a phone's width.
    await page.setViewportSize({ width: 390, height: 844 });
    await row.getByRole('button', { name: 'Edit the labels of eu-box' }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await row.getByRole('button', { name: 'Cancel' }).click();
    await page.setViewportSize({ width: 1280, height: 900 });
    hangUp.abort();
    await waiting;
  }, 60_000);

  it('says on a queued run which runner it waits for', async () => {
    const { scraperId } = await seedScraper(db.pool, { config: { runnerLabels: ['us'] } });
    const queued = await server.admin.data(`mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`, {
      id: String(scraperId),
    });
    await page.goto(`http://127.0.0.1:${server.port}/runs/${queued.triggerRun.data.id}`);
    const runner = page.getByTestId('run-runner');
    await runner.getByText('waiting for a runner labelled us').waitFor();
    await expect(runner.innerText()).resolves.toContain('labels us');
  });
});
