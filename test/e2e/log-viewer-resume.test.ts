/**
 * The log viewer across a server restart: the websocket drops, graphql-ws reconnects, and the viewer
 * subscribes again after the last seq it has, so the lines logged meanwhile arrive once, in order.
 * Once the run ends the server completes the subscription: the viewer says the log is complete and
 * does not subscribe again, not even after a reconnect.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const APPEND = `mutation($jobId: ID!, $batchId: String!, $logs: [LogLineInput!]!) {
  appendLogs(jobId: $jobId, batchId: $batchId, logs: $logs) { __typename } }`;

const { db, server, restartServer } = useTestServer();
let browser: Browser;
let page: Page;
let apiKey: string;
let runId: string;
/** Variables of every jobLogs subscribe message the page sent. */
const subscribes: Array<{ afterSeq?: number }> = [];
/** Every subscribe message the page sent, by the root field it subscribes to. */
const subscribedFields: string[] = [];

const append = (batchId: string, from: number, n: number) =>
  server.client({ apiKey }).data(APPEND, {
    jobId: runId,
    batchId,
    logs: Array.from({ length: n }, (_, i) => ({ level: 'INFO', message: `line ${from + i}` })),
  });

beforeAll(async () => {
  await ensureAdminBuilt();
  const { scraperId } = await seedScraper(db.pool, { slug: 'resume-shop' });
  ({ apiKey } = await seedRunner(db.pool));
  runId = await claimRunFor(server, scraperId, apiKey);
  await append('first', 1, 10);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error('error in the admin page:', error));
  page.on('websocket', (socket) =>
    socket.on('framesent', (frame) => {
      const message = JSON.parse(String(frame.payload));
      if (message.type !== 'subscribe') return;
      const query = String(message.payload.query);
      subscribedFields.push(query.includes('jobLogs') ? 'jobLogs' : query.includes('runUpdated') ? 'runUpdated' : 'other');
      if (query.includes('jobLogs')) subscribes.push(message.payload.variables);
    }),
  );
  await signIn(page, `http://127.0.0.1:${server.port}`, TEST_ADMIN_TOKEN);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the log viewer across a server restart', () => {
  it('resumes after the last line it has, and shows every line once', async () => {
    await page.goto(`http://127.0.0.1:${server.port}/runs/${runId}`);
    await page.locator('.log-row[data-seq="10"]').waitFor();
    expect(subscribes.at(-1)?.afterSeq).toBe(0);

    const port = server.port;
    await restartServer({ port });
    await append('second', 11, 10);

    await page.locator('.log-row[data-seq="20"]').waitFor();
    await page.getByTestId('log-summary').filter({ hasText: '20 lines' }).waitFor();
    const seqs = await page.locator('.log-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(subscribes.some((variables) => variables.afterSeq === 10)).toBe(true);
  });

  it('says the log is complete once the run ends, and does not subscribe again after a reconnect', async () => {
    await server
      .client({ apiKey })
      .data(`mutation($jobId: ID!) { completeRun(jobId: $jobId, result: { status: SUCCESS, productsFound: 1, productsProcessed: 1 }) { __typename } }`, { jobId: runId });
    await page.getByTestId('log-complete').filter({ hasText: 'complete: the run ended SUCCESS' }).waitFor();
    const jobLogsSubscribes = subscribes.length;
    const sentBefore = subscribedFields.length;

    await restartServer({ port: server.port });
    // graphql-ws repeats the page's open subscriptions once it is back: the run's status is one of them.
    await expect.poll(() => subscribedFields.slice(sentBefore), { timeout: 20_000 }).toContain('runUpdated');
    expect(subscribes).toHaveLength(jobLogsSubscribes);
    await page.getByTestId('log-summary').filter({ hasText: '20 lines' }).waitFor();
  });

  it('links the attempt that retries a run lost while the viewer watched it', async () => {
    const { scraperId } = await seedScraper(db.pool, { slug: 'lost-shop' });
    const lostId = await claimRunFor(server, scraperId, apiKey);
    await page.goto(`http://127.0.0.1:${server.port}/runs/${lostId}`);
    await page.getByTestId('log-summary').filter({ hasText: '0 lines' }).waitFor();
    await db.pool.query(`UPDATE run SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [lostId]);
    const { expireLeases } = await import('../../server/scheduler/sql/expireLeases.ts');
    const [expired] = await expireLeases(db.pool, new Date(Date.now() + 1000));
    const link = page.getByTestId('log-complete').getByRole('link', { name: `run #${expired!.retryRunId}` });
    await link.click();
    await page.waitForURL(`**/runs/${expired!.retryRunId}`);
  });
});
