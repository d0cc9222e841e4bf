/**
 * An instance answers a runner's calls from the keys it found valid before (a fleet's claims cost no
 * key lookup each), and still refuses a revoked or rotated key, and sees new labels, on every
 * instance: through the change's NOTIFY, and by trusting nothing while it cannot hear one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { withListenersCut } from '../helpers/listener.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const CLAIM = `mutation { claimRun { __typename ... on MutationClaimRunSuccess { data { id } } } }`;
const REVOKE = `mutation($id: ID!) { revokeRunner(id: $id) { __typename } }`;
const SET_LABELS = `mutation($id: ID!, $labels: [String!]!) { setRunnerLabels(id: $id, labels: $labels) { __typename } }`;
const TRIGGER = `mutation($scraperId: ID!, $labels: [String!]) {
  triggerRun(scraperId: $scraperId, runnerLabels: $labels) { __typename ... on MutationTriggerRunSuccess { data { id } } }
}`;

const db = useTestDatabase();
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestServer(db.url), startTestServer(db.url)]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const refused = async (server: TestServer, apiKey: string) => (await server.client({ apiKey }).request(CLAIM)).errors?.[0]?.extensions?.code === 'FORBIDDEN';
const lastSeenAt = async (runnerId: number) => (await db.pool.query(`SELECT last_seen_at FROM runner WHERE id = $1`, [runnerId])).rows[0].last_seen_at as Date | null;

describe('runner keys an instance has found valid', () => {
  it('are refused on another instance once a revocation made through one is announced', async () => {
    const runner = await seedRunner(db.pool);
    const lookups = async () => {
      const metrics = await scrapeMetrics(b.port);
      return { kept: metrics.value('scrapedeck_runner_key_lookups_total', { source: 'kept' }) ?? 0, database: metrics.value('scrapedeck_runner_key_lookups_total', { source: 'database' }) ?? 0 };
    };
    const before = await lookups();
    // The first call looks the key up; the next ones are answered from what b kept.
    for (let i = 0; i < 3; i++) expect(await refused(b, runner.apiKey)).toBe(false);
    const after = await lookups();
    expect(after.database - before.database).toBe(1);
    expect(after.kept - before.kept).toBe(2);
    const started = Date.now();
    await a.admin.data(REVOKE, { id: String(runner.runnerId) });
    expect(await refused(a, runner.apiKey)).toBe(true);
    // b keeps a key for minutes: refused within seconds is the NOTIFY's doing.
    await waitUntil(() => refused(b, runner.apiKey), 'the revoked key to be refused by the other instance', 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('take new labels on another instance once they are set through one', async () => {
    const runner = await seedRunner(db.pool);
    const { scraperId } = await seedScraper(db.pool);
    const client = b.client({ apiKey: runner.apiKey });
    const { triggerRun } = await a.admin.data(TRIGGER, { scraperId: String(scraperId), labels: ['eu'] });
    const runId = triggerRun.data.id as string;
    expect((await client.data(CLAIM)).claimRun).toBeNull();
    expect((await client.data(CLAIM)).claimRun).toBeNull();
    await a.admin.data(SET_LABELS, { id: String(runner.runnerId), labels: ['eu'] });
    let claimed: string | undefined;
    await waitUntil(async () => {
      claimed = (await client.data(CLAIM)).claimRun?.data.id;
      return claimed !== undefined;
    }, 'the runner to claim under its new label on the other instance', 5_000);
    expect(claimed).toBe(runId);
  });

  it('are looked up again while an instance cannot hear announcements, and forgotten when it hears again', async () => {
    const runner = await seedRunner(db.pool);
    expect(await refused(b, runner.apiKey)).toBe(false);
    expect(await refused(b, runner.apiKey)).toBe(false);
    await withListenersCut(db, async (writer) => {
      await waitUntil(async () => (await scrapeMetrics(b.port)).value('scrapedeck_listener_connected') === 0, 'b to notice its LISTEN connection gone');
      // Revoked where no instance hears it: b must not answer from the key it kept.
      await writer.query(`UPDATE runner SET revoked_at = now() WHERE id = $1`, [runner.runnerId]);
      expect(await refused(b, runner.apiKey)).toBe(true);
    });
    await waitUntil(async () => (await scrapeMetrics(b.port)).value('scrapedeck_listener_connected') === 1, 'b to listen again');
    expect(await refused(b, runner.apiKey)).toBe(true);
  });

  it('still record that the runner called, within seconds', async () => {
    const runner = await seedRunner(db.pool);
    expect(await refused(b, runner.apiKey)).toBe(false);
    const first = await lastSeenAt(runner.runnerId);
    expect(first).not.toBeNull();
    // Past the 5 s a call's record may trail by: the next call, answered from the kept key, moves it on.
    await db.pool.query(`UPDATE runner SET last_seen_at = now() - interval '1 minute' WHERE id = $1`, [runner.runnerId]);
    const before = Date.now();
    expect(await refused(b, runner.apiKey)).toBe(false);
    await waitUntil(async () => (await lastSeenAt(runner.runnerId))!.getTime() >= before - 1000, 'the call to be recorded', 5_000);
  });
});
