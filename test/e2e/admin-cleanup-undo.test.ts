/**
 * Cleanup actions say what they did and offer an Undo for a few seconds, and the pending count and
 * the queue follow another admin's actions live: two pages signed in as admins, acting in one.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminBuilt, launchBrowser, signIn } from '../helpers/browser.ts';
import { insertRun } from '../helpers/runs.ts';
import { seedScraper } from '../helpers/seed.ts';
import { TEST_ADMIN_TOKEN, useTestServer } from '../helpers/server.ts';

const POLL = { timeout: 20_000 };

const { db, server } = useTestServer();
let browser: Browser;
let baseUrl: string;
let heldRunId: number;
let otherHeldRunId: number;
let overview: Page;
let queue: Page;

const pendingCard = (page: Page) => page.locator('.stat-card').filter({ has: page.getByRole('link', { name: 'Pending flags' }) }).locator('.stat-card__value');
/** The rows of the flagged products (the held runs' table is above them). */
const flagRows = (page: Page) => page.locator('tbody tr').filter({ has: page.getByRole('button', { name: 'Dismiss', exact: true }) });
const statusOf = async (sku: string) =>
  (await db.pool.query(`SELECT f.status::text FROM flag f JOIN product p ON p.id = f.product_id WHERE p.sku = $1`, [sku])).rows[0].status;

beforeAll(async () => {
  await ensureAdminBuilt();
  baseUrl = `http://127.0.0.1:${server.port}`;
  const { scraperId, sourceId } = await seedScraper(db.pool, { slug: 'undo-shop' });
  for (const sku of ['alpha', 'beta', 'gamma']) {
    await db.pool.query(
      `WITH p AS (INSERT INTO product (source_id, sku, name, price, scraped_at) VALUES ($1, $2, 'Product ' || $2, 10, now()) RETURNING id)
       INSERT INTO flag (kind, product_id, detail) SELECT 'MISSING_FIELD', id, 'Missing brand' FROM p`,
      [sourceId, sku],
    );
  }
  heldRunId = await insertRun(db.pool, { scraperId, status: 'WARNING', queuedMinutesAgo: 10, completedMinutesAgo: 5, durationSeconds: 30 });
  await db.pool.query(`UPDATE run SET publication = 'HELD' WHERE id = $1`, [heldRunId]);
  const other = await seedScraper(db.pool, { slug: 'undo-shop-two' });
  otherHeldRunId = await insertRun(db.pool, { scraperId: other.scraperId, status: 'WARNING', queuedMinutesAgo: 9, completedMinutesAgo: 4, durationSeconds: 30 });
  await db.pool.query(`UPDATE run SET publication = 'HELD' WHERE id = $1`, [otherHeldRunId]);
  browser = await launchBrowser();
  overview = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  queue = await browser.newPage({ viewport: { width: 390, height: 844 } });
  for (const page of [overview, queue]) {
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error('error in the admin page:', error));
    await signIn(page, baseUrl, TEST_ADMIN_TOKEN);
  }
  await queue.getByRole('link', { name: 'Cleanup queue' }).first().click();
  await queue.getByRole('heading', { level: 1, name: 'Cleanup queue' }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('cleanup with undo, live across admins', () => {
  it('dismisses a flag, says so, and the other admin’s pending count drops live', async () => {
    await expect.poll(() => pendingCard(overview).textContent(), POLL).toBe('3');
    await queue.getByRole('button', { name: 'Dismiss', exact: true }).first().waitFor();
    const firstProduct = await flagRows(queue).first().locator('[data-label="Product"]').textContent();
    const sku = ['alpha', 'beta', 'gamma'].find((s) => firstProduct!.includes(s))!;
    await queue.getByRole('button', { name: 'Dismiss', exact: true }).first().click();
    await expect.poll(() => queue.getByTestId('flags-undo').textContent(), POLL).toContain('Dismissed 1 flag.');
    expect(await statusOf(sku)).toBe('DISMISSED');
    await expect.poll(() => pendingCard(overview).textContent(), POLL).toBe('2');
    await expect.poll(() => flagRows(queue).count(), POLL).toBe(2);

    await queue.getByTestId('flags-undo').getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => statusOf(sku), POLL).toBe('PENDING');
    await expect.poll(() => pendingCard(overview).textContent(), POLL).toBe('3');
    await expect.poll(() => flagRows(queue).count(), POLL).toBe(3);
    expect(await queue.getByTestId('flags-undo').textContent()).toBe('');
  });

  it('updates the queue live when the other admin resolves a flag', async () => {
    await server.admin.data(
      `mutation($ids: [ID!]!) { resolveFlags(ids: $ids, status: APPROVED) { __typename } }`,
      { ids: [(await db.pool.query(`SELECT f.id::text FROM flag f JOIN product p ON p.id = f.product_id WHERE p.sku = 'gamma'`)).rows[0].id] },
    );
    await expect.poll(() => flagRows(queue).count(), POLL).toBe(2);
    await expect.poll(() => pendingCard(overview).textContent(), POLL).toBe('2');
  });

  it('drops a held run from the queue live when another admin approves it', async () => {
    const row = queue.locator(`[data-testid="held-runs"] tr[data-run-id="${otherHeldRunId}"]`);
    await row.waitFor();
    const approved = await server.admin.data(`mutation($id: ID!) { approveRun(runId: $id) { __typename } }`, { id: String(otherHeldRunId) });
    expect(approved.approveRun.__typename).toBe('MutationApproveRunSuccess');
    await row.waitFor({ state: 'detached' });
  });

  it('holds back a held run’s approval during the undo window, and Undo never sends it', async () => {
    const row = queue.locator(`[data-testid="held-runs"] tr[data-run-id="${heldRunId}"]`);
    await row.getByRole('button', { name: 'Approve run' }).click();
    await expect.poll(() => queue.getByTestId('held-runs-undo').textContent(), POLL).toContain(`Run #${heldRunId} will be approved`);
    await queue.getByTestId('held-runs-undo').getByRole('button', { name: 'Undo' }).click();
    await queue.waitForTimeout(7_000);
    expect((await db.pool.query(`SELECT publication::text FROM run WHERE id = $1`, [heldRunId])).rows[0].publication).toBe('HELD');
    expect(await row.getByRole('button', { name: 'Approve run' }).isEnabled()).toBe(true);

    // Not undone, it is sent once the window has passed.
    await row.getByRole('button', { name: 'Approve run' }).click();
    await expect.poll(async () => (await db.pool.query(`SELECT publication::text FROM run WHERE id = $1`, [heldRunId])).rows[0].publication, POLL).toBe('APPROVED');
  });
});
