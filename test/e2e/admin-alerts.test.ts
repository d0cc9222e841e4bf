/**
 * The admin's alerts and verdicts in a real browser against a real server, database and webhook
 * receiver: an incident opened by a failing run shows on the overview and the Alerts page without a
 * reload, with its timeline and delivery; a channel test shows its attempt live; a held run is
 * approved from its page and from the cleanup queue; a viewer sees all of it and no control.
 * The runner's side is played over GraphQL with a runner key.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel } from '../helpers/alerts.ts';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { startHttpReceiver, type HttpReceiver } from '../helpers/httpReceiver.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper, seedToken } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const REPORT = `mutation($jobId: ID!, $batchId: String!, $products: [ProductInput!]!) {
  reportProducts(jobId: $jobId, batchId: $batchId, products: $products) { __typename } }`;
const COMPLETE = `mutation($jobId: ID!, $result: RunResultInput!) {
  completeRun(jobId: $jobId, result: $result) { __typename ... on MutationCompleteRunSuccess { data { id status publication } } } }`;
const CREATE_RULE = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { __typename } }`;

const { db, server } = useTestServer({ alertsAllowPrivateTargets: true, alertRetryScheduleSeconds: [0.5] });
let browser: Browser;
let context: BrowserContext;
let overview: Page;
let alerts: Page;
let receiver: HttpReceiver;
let runner: Awaited<ReturnType<typeof seedRunner>>;
let scraperId: number;
let baseUrl: string;

/** Four products of one category; `missingPrices` of them without a price. */
const products = (price: number, missingPrices = 0) =>
  Array.from({ length: 4 }, (_, i) => ({ sku: `SKU-${i + 1}`, name: `Product ${i + 1}`, brand: 'Acme', category: 'flower', price: i < missingPrices ? null : price }));

/** One run through the API as a runner makes it: claimed, its products reported, completed. */
async function run(outcome: { status: 'SUCCESS' | 'ERROR'; products?: ReturnType<typeof products>; errorMessage?: string }) {
  const jobId = await claimRunFor(server, scraperId, runner.apiKey);
  const client = server.client({ apiKey: runner.apiKey });
  const stored = outcome.products ?? [];
  if (stored.length) expect((await client.data(REPORT, { jobId, batchId: 'all', products: stored })).reportProducts.__typename).toBe('MutationReportProductsSuccess');
  const { completeRun } = await client.data(COMPLETE, {
    jobId,
    result: { status: outcome.status, productsFound: stored.length, productsProcessed: stored.length, errorMessage: outcome.errorMessage },
  });
  expect(completeRun.__typename).toBe('MutationCompleteRunSuccess');
  return completeRun.data as { id: string; status: string; publication: string };
}

const openIncidentId = async () =>
  String((await db.pool.query<{ id: number }>(`SELECT id FROM incident WHERE scraper_id = $1 AND status <> 'RESOLVED' ORDER BY id DESC LIMIT 1`, [scraperId])).rows[0]!.id);

/** Marks the page, so that a later check can tell it was not reloaded. */
const mark = (page: Page) => page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
const marked = (page: Page) => page.evaluate(() => (window as unknown as { marker?: string }).marker);

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  receiver = await startHttpReceiver();
  runner = await seedRunner(db.pool, 'runner-alerts');
  ({ scraperId } = await seedScraper(db.pool, {
    slug: 'gated-shop',
    config: {
      format: 'json',
      urls: ['http://127.0.0.1:9/menu'],
      items: 'items',
      fields: { sku: 'sku', name: 'name', brand: 'brand', category: 'category', price: 'price' },
      gates: { maxMissingPercent: { price: 20 } },
    },
  }));
  const channel = await createChannel(server.admin, { name: 'Ops webhook', kind: 'WEBHOOK', url: receiver.url('/hook') });
  const { createAlertRule } = await server.admin.data(CREATE_RULE, {
    input: { name: 'Gated shop errors', kind: 'RUN_ERROR', scraperId: String(scraperId), channelIds: [channel.id] },
  });
  expect(createAlertRule.__typename).toBe('MutationCreateAlertRuleSuccess');

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  overview = await context.newPage();
  alerts = await context.newPage();
  for (const page of [overview, alerts]) {
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    // Each tab keeps its own session.
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  }
  await alerts.getByRole('link', { name: 'Alerts' }).click();
  await alerts.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
});

describe('alerts in the admin', () => {
  it('shows an incident opened by a failing run on the overview and the Alerts page live, with its timeline and delivery', async () => {
    await overview.getByTestId('open-incident-count').filter({ hasText: '0' }).waitFor();
    await alerts.getByText('No open incident.').waitFor();
    await mark(overview);
    await mark(alerts);

    await run({ status: 'ERROR', errorMessage: 'the menu is gone' });
    const incidentId = await openIncidentId();

    const row = overview.locator(`[data-testid="overview-incidents"] tr[data-incident-id="${incidentId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Scraper gated-shop');
    expect(await row.getByRole('link').getAttribute('href')).toBe(`/alerts?incident=${incidentId}`);
    await overview.getByTestId('open-incident-count').filter({ hasText: '1' }).waitFor();

    const card = alerts.locator(`[data-testid="open-incidents"] [data-incident-id="${incidentId}"]`);
    await card.locator('[data-incident-status="OPEN"]').waitFor();
    await card.getByRole('button', { name: 'Details' }).click();
    await card.getByTestId('incident-timeline').locator('li[data-kind="OPENED"]').waitFor();
    // The webhook's delivery, recorded with its answer, arrives while the page is open.
    await card.locator('[data-notification-status="DELIVERED"]').waitFor();
    expect(await card.getByTestId('delivery-attempts').locator('tbody tr').first().textContent()).toContain('200');
    expect(receiver.received.length).toBe(1);

    // Acknowledged on the Alerts page; the overview follows.
    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await card.locator('[data-incident-status="ACKNOWLEDGED"]').waitFor();
    await row.getByText('ACKNOWLEDGED').waitFor();
    expect(await card.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    // A good run resolves it: it leaves the overview and moves to the resolved incidents.
    await run({ status: 'SUCCESS', products: products(30) });
    await row.waitFor({ state: 'detached' });
    await alerts.locator(`[data-testid="resolved-incidents"] [data-incident-id="${incidentId}"] [data-incident-status="RESOLVED"]`).waitFor();
    await alerts.locator(`[data-incident-id="${incidentId}"]`).getByTestId('incident-timeline').locator('li[data-kind="RESOLVED"]').waitFor();
    expect([await marked(overview), await marked(alerts)]).toEqual(['same page', 'same page']);
  });

  it('opens the incident a notification links to', async () => {
    const { rows } = await db.pool.query<{ id: number }>(`SELECT id FROM incident WHERE scraper_id = $1 ORDER BY id LIMIT 1`, [scraperId]);
    await alerts.goto(`${baseUrl}/alerts?incident=${rows[0]!.id}`);
    const card = alerts.locator(`[data-incident-id="${rows[0]!.id}"]`);
    await card.getByTestId('incident-timeline').waitFor();
    expect(await card.getAttribute('class')).toContain('incident-card--selected');
    expect(await card.getByRole('button', { name: 'Hide details' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('sends a channel test and shows its attempt as it happens', async () => {
    const channel = alerts.locator('[data-channel="Ops webhook"]');
    const before = receiver.received.length;
    await channel.getByRole('button', { name: 'Send test' }).click();
    const test = channel.locator('.notification').filter({ hasText: 'Test notification' });
    await test.locator('[data-notification-status="DELIVERED"]').waitFor();
    expect(await test.getByTestId('delivery-attempts').locator('tbody tr').count()).toBe(1);
    expect(receiver.received.length).toBe(before + 1);
  });

  it('approves a held run from its page, and another from the cleanup queue', async () => {
    const held = await run({ status: 'SUCCESS', products: products(35, 2) });
    expect(held).toMatchObject({ status: 'WARNING', publication: 'HELD' });
    await alerts.goto(`${baseUrl}/runs/${held.id}`);
    await alerts.getByTestId('publication').locator('[data-publication="HELD"]').waitFor();
    expect(await alerts.getByTestId('run-warnings').locator('tr[data-reason="QUALITY_GATE"]').textContent()).toContain('maxMissingPercent.price');
    await alerts.getByTestId('run-quality').waitFor();
    await alerts.getByRole('button', { name: 'Approve run' }).click();
    await alerts.getByTestId('publication').locator('[data-publication="APPROVED"]').waitFor();
    expect(await alerts.getByRole('button', { name: 'Approve run' }).count()).toBe(0);

    const next = await run({ status: 'SUCCESS', products: products(40, 3) });
    expect(next.publication).toBe('HELD');
    await alerts.getByRole('link', { name: 'Cleanup queue' }).click();
    const queued = alerts.locator(`[data-testid="held-runs"] tr[data-run-id="${next.id}"]`);
    await queued.waitFor();
    expect(await alerts.locator(`[data-testid="held-runs"] tr[data-run-id="${held.id}"]`).count()).toBe(0);
    await queued.getByRole('button', { name: 'Approve run' }).click();
    await alerts.getByTestId('held-runs').getByText('No run is held.').waitFor();
    const { rows } = await db.pool.query(`SELECT id::text, publication::text FROM run WHERE id = ANY($1) ORDER BY id`, [[held.id, next.id]]);
    expect(rows).toEqual([
      { id: held.id, publication: 'APPROVED' },
      { id: next.id, publication: 'APPROVED' },
    ]);
  });

  it('shows a viewer the Alerts page, incidents and held runs without a single control that changes anything', async () => {
    const held = await run({ status: 'SUCCESS', products: products(45, 4) });
    expect(held.publication).toBe('HELD');
    const viewerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const viewer = await viewerContext.newPage();
      viewer.setDefaultTimeout(20_000);
      await signIn(viewer, baseUrl, (await seedToken(db.pool, 'VIEWER')).token);
      await viewer.getByRole('link', { name: 'Alerts' }).click();
      await viewer.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
      const incident = viewer.locator('[data-incident-id]').first();
      await incident.getByRole('button', { name: 'Details' }).click();
      await incident.getByTestId('incident-timeline').waitFor();
      await viewer.locator('[data-channel="Ops webhook"]').waitFor();
      await viewer.getByTestId('rules-table').getByText('Gated shop errors').waitFor();
      // The viewer sees the channel's address masked, never whole.
      expect(await viewer.locator('[data-channel="Ops webhook"]').getByTestId('channel-target').textContent()).not.toContain('/hook');
      const controls = /New channel|New rule|Acknowledge|Send test|Delete|Edit|Snooze|End snooze|Enable|Disable|Approve/;
      expect(await viewer.getByRole('button', { name: controls }).count()).toBe(0);

      await viewer.getByRole('link', { name: 'Cleanup queue' }).click();
      await viewer.locator(`[data-testid="held-runs"] tr[data-run-id="${held.id}"]`).waitFor();
      expect(await viewer.getByRole('button', { name: /Approve/ }).count()).toBe(0);
      await viewer.goto(`${baseUrl}/runs/${held.id}`);
      await viewer.getByTestId('publication').locator('[data-publication="HELD"]').waitFor();
      expect(await viewer.getByRole('button', { name: /Approve|Cancel/ }).count()).toBe(0);
    } finally {
      await viewerContext.close();
    }
  });
});
