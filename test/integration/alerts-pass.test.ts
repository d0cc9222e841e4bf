/**
 * The periodic alert pass, driven at chosen moments: a scheduled scraper whose run never starts
 * fires EXPECTED_RUN_MISSING after the grace, once, however many passes (and instances) look; a
 * source's freshness is stored and opens and resolves SOURCE_FRESHNESS incidents; a runner gone
 * silent with work is RUNNER_OFFLINE; a run lost to its lease is judged like a failed one. Last,
 * the pass runs by itself on the job engine.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runAlertPass } from '../../server/alerts/pass/runAlertPass.ts';
import { createLogger } from '../../server/logger.ts';
import { eventKinds, incidentsOfRule, outbox, seedChannel, seedRule } from '../helpers/incidents.ts';
import { tolerateConnectionLoss } from '../helpers/connectionLoss.ts';
import { createTestDatabase, useTestDatabase } from '../helpers/database.ts';
import { insertRunningRun } from '../helpers/runs.ts';
import { minuteFromNow, passAt } from '../helpers/scheduler.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const db = useTestDatabase();
const silent = createLogger('silent');
const MINUTE = 60_000;

const alertPassAt = async (now: Date, pool: pg.Pool = db.pool) => {
  const { changed, failedSteps } = await runAlertPass(pool, silent, now);
  expect(failedSteps).toEqual([]);
  return changed;
};

describe('EXPECTED_RUN_MISSING', () => {
  it('a scheduled scraper with no runner alive fires after the grace period, once, and resolves when a run starts', async () => {
    const channels = [await seedChannel(db.pool), await seedChannel(db.pool)];
    const fireAt = minuteFromNow(2);
    // Hourly, at the minute of fireAt: the fire time before it lies before the scraper was made.
    const { scraperId } = await seedScraper(db.pool, { slug: 'nightly', cron: `${fireAt.getUTCMinutes()} * * * *` });
    const ruleId = await seedRule(db.pool, { kind: 'EXPECTED_RUN_MISSING', scraperId, graceMinutes: 10, channelIds: channels });
    const at = (minutes: number) => new Date(fireAt.getTime() + minutes * MINUTE);

    // The scheduler queues the run on time; no runner is there to claim it.
    const { ticks } = await passAt(db.pool, fireAt);
    const queuedRunId = ticks[0]!.runId;
    expect(queuedRunId).not.toBeNull();

    // Within the grace, nothing.
    expect(await alertPassAt(at(9))).toEqual([]);
    expect(await incidentsOfRule(db.pool, ruleId)).toEqual([]);

    // Past it, two instances look at once: one incident, one notification per channel.
    const other = tolerateConnectionLoss(new pg.Pool({ connectionString: db.url, max: 3 }));
    try {
      const [a, b] = await Promise.all([alertPassAt(at(10.5)), alertPassAt(at(10.5), other)]);
      expect([...a, ...b]).toHaveLength(1);
    } finally {
      await other.end();
    }
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(incident).toMatchObject({ status: 'OPEN', reason: 'EXPECTED_RUN_MISSING', occurrences: 1, title: 'Scraper nightly: expected run missing' });
    expect(incident!.detail).toContain(`Run ${queuedRunId} has been waiting for a runner since`);

    // Later passes find the same and add nothing.
    for (const minutes of [11, 20, 45, 59]) expect(await alertPassAt(at(minutes))).toEqual([]);
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'OPEN', occurrences: 1 }]);
    expect(await eventKinds(db.pool, incident!.id)).toEqual(['OPENED']);
    expect((await outbox(db.pool, incident!.id)).map((n) => [n.event, n.channelId])).toEqual(channels.map((c) => ['OPENED', c]));

    // A runner comes back and starts the run.
    await db.pool.query(`UPDATE run SET status = 'RUNNING', started_at = $2 WHERE id = $1`, [queuedRunId, at(60)]);
    expect(await alertPassAt(at(61))).toEqual([incident!.id]);
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED', openKey: null }]);
    expect((await outbox(db.pool, incident!.id)).map((n) => n.event)).toEqual(['OPENED', 'OPENED', 'RESOLVED', 'RESOLVED']);
  });

  it('does not count a paused scraper', async () => {
    const fireAt = minuteFromNow(2);
    const { scraperId } = await seedScraper(db.pool, { cron: `${fireAt.getUTCMinutes()} * * * *` });
    await db.pool.query(`UPDATE scraper SET paused = true WHERE id = $1`, [scraperId]);
    const ruleId = await seedRule(db.pool, { kind: 'EXPECTED_RUN_MISSING', scraperId, graceMinutes: 5, channelIds: [] });
    await alertPassAt(new Date(fireAt.getTime() + 30 * MINUTE));
    expect(await incidentsOfRule(db.pool, ruleId)).toEqual([]);
  });
});

describe('SOURCE_FRESHNESS', () => {
  it('stores the state; STALE opens an incident that CRITICAL does not repeat, and a new delivery resolves it', async () => {
    const channel = await seedChannel(db.pool);
    const { scraperId, sourceId } = await seedScraper(db.pool, { slug: 'old-news' });
    await db.pool.query(
      `UPDATE source SET stale_after_minutes = 60, critical_after_minutes = 180, last_delivered_at = now() - interval '90 minutes' WHERE id = $1`,
      [sourceId],
    );
    const ruleId = await seedRule(db.pool, { kind: 'SOURCE_FRESHNESS', scraperId, freshnessLevel: 'STALE', channelIds: [channel] });
    const state = async () => (await db.pool.query(`SELECT freshness_state AS s FROM source WHERE id = $1`, [sourceId])).rows[0].s as string | null;

    const now = new Date();
    await alertPassAt(now);
    expect(await state()).toBe('STALE');
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(incident).toMatchObject({ status: 'OPEN', reason: 'STALE', title: 'old-news source is STALE' });
    const [opened] = await outbox(db.pool, incident!.id);
    expect(opened!.payload).toMatchObject({ reason: 'STALE', source: { id: sourceId }, expected: 60, actual: 90 });

    expect(await alertPassAt(now)).toEqual([]);
    await alertPassAt(new Date(now.getTime() + 100 * MINUTE));
    expect(await state()).toBe('CRITICAL');
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'OPEN', occurrences: 1 }]);
    expect(await outbox(db.pool, incident!.id)).toHaveLength(1);

    await db.pool.query(`UPDATE source SET last_delivered_at = now() WHERE id = $1`, [sourceId]);
    expect(await alertPassAt(new Date())).toEqual([incident!.id]);
    expect(await state()).toBe('FRESH');
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED' }]);
    expect((await outbox(db.pool, incident!.id)).map((n) => n.event)).toEqual(['OPENED', 'RESOLVED']);
  });

  it('a CRITICAL rule waits for CRITICAL, and a source that never delivered is judged from when it was made', async () => {
    const { scraperId, sourceId } = await seedScraper(db.pool);
    await db.pool.query(`UPDATE source SET stale_after_minutes = 10, critical_after_minutes = 30 WHERE id = $1`, [sourceId]);
    const ruleId = await seedRule(db.pool, { kind: 'SOURCE_FRESHNESS', scraperId, freshnessLevel: 'CRITICAL', channelIds: [] });
    await alertPassAt(new Date(Date.now() + 20 * MINUTE));
    expect(await incidentsOfRule(db.pool, ruleId)).toEqual([]);
    await alertPassAt(new Date(Date.now() + 40 * MINUTE));
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'OPEN', reason: 'CRITICAL' }]);
  });
});

describe('RUNNER_OFFLINE and lost runs', () => {
  it('a runner silent past the grace while it holds a run opens one incident; calling in again resolves it', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const { runnerId } = await seedRunner(db.pool, 'quiet-runner');
    await insertRunningRun(db.pool, scraperId, runnerId, 60);
    await db.pool.query(`UPDATE runner SET last_seen_at = now() - interval '20 minutes' WHERE id = $1`, [runnerId]);
    const { runnerId: idle } = await seedRunner(db.pool, 'idle-runner');
    await db.pool.query(`UPDATE runner SET last_seen_at = now() - interval '20 minutes' WHERE id = $1`, [idle]);
    const ruleId = await seedRule(db.pool, { kind: 'RUNNER_OFFLINE', graceMinutes: 5, channelIds: [] });

    await alertPassAt(new Date());
    await alertPassAt(new Date());
    // The idle runner had no work: its silence is no incident.
    const { rows } = await db.pool.query(`SELECT runner_id AS "runnerId", status, occurrences, reason FROM incident WHERE rule_id = $1`, [ruleId]);
    expect(rows).toEqual([{ runnerId, status: 'OPEN', occurrences: 1, reason: 'RUNNER_OFFLINE' }]);

    await db.pool.query(`UPDATE runner SET last_seen_at = now() WHERE id = $1`, [runnerId]);
    await alertPassAt(new Date());
    expect(await incidentsOfRule(db.pool, ruleId)).toMatchObject([{ status: 'RESOLVED' }]);
  });

  it('a run lost to its lease is judged in the scheduler pass that ends it', async () => {
    const channel = await seedChannel(db.pool);
    const { scraperId } = await seedScraper(db.pool, { slug: 'lost-shop' });
    const { runnerId } = await seedRunner(db.pool);
    const runId = Number(await insertRunningRun(db.pool, scraperId, runnerId, 1));
    const ruleId = await seedRule(db.pool, { kind: 'RUN_ERROR', scraperId, channelIds: [channel] });
    const result = await passAt(db.pool, new Date(Date.now() + 2 * MINUTE));
    expect(result.expired).toMatchObject([{ runId }]);
    const [incident] = await incidentsOfRule(db.pool, ruleId);
    expect(result.incidents).toEqual([incident!.id]);
    expect(incident).toMatchObject({ status: 'OPEN', reason: 'RUN_ERROR' });
    expect(incident!.detail).toContain('RUNNER_LOST');
    expect((await outbox(db.pool, incident!.id)).map((n) => n.event)).toEqual(['OPENED']);
  });
});

describe('on the job engine', () => {
  it('runs the pass by itself every ALERT_PASS_INTERVAL_SECONDS', async () => {
    // A database of its own: the engine keeps its state there, and other tests drove time ahead.
    const own = await createTestDatabase();
    try {
      const { sourceId } = await seedScraper(own.pool);
      await own.pool.query(`UPDATE source SET last_delivered_at = now() - interval '2 days', stale_after_minutes = 60, critical_after_minutes = 120 WHERE id = $1`, [sourceId]);
      const ruleId = await seedRule(own.pool, { kind: 'SOURCE_FRESHNESS', freshnessLevel: 'CRITICAL', channelIds: [] });
      const server = await startTestServer(own.url, { scheduler: true, alertPassIntervalSeconds: 1 });
      try {
        await waitUntil(async () => (await incidentsOfRule(own.pool, ruleId)).length === 1, 'the alert pass to open the incident');
        const { rows } = await own.pool.query(`SELECT freshness_state AS s FROM source WHERE id = $1`, [sourceId]);
        expect(rows[0].s).toBe('CRITICAL');
      } finally {
        await server.stop();
      }
    } finally {
      await own.drop();
    }
  });
});
