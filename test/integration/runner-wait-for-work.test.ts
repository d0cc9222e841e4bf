/**
 * Runners wait for work on a held claimRun instead of polling: a queued run wakes one of them at
 * once, the waits hold no database connection, count as presence, end at once on shutdown, and work
 * across instances. The runners here are the runner's own API client, as a runner process uses it.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, type ClaimedRun } from '../../scrapers/runner/apiClient.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, useTestServer, type TestServer } from '../helpers/server.ts';

const TRIGGER = /* GraphQL */ `
  mutation($id: ID!, $labels: [String!]) {
    triggerRun(scraperId: $id, runnerLabels: $labels) { __typename ... on MutationTriggerRunSuccess { data { id requiredLabels waitingFor } } }
  }`;
const RUNNERS = /* GraphQL */ `{ runners { id name online } }`;
/** Far longer than any wake-up may take: a claim answered well within it was woken, not found when a wait ended. */
const WAIT_SECONDS = 30;

// A short window, so that a runner that hung up shows offline within the test.
const { db, server } = useTestServer({ runnerOnlineWindowSeconds: 1 });
const servers: TestServer[] = [];
const hangUps: AbortController[] = [];

afterAll(async () => {
  for (const hangUp of hangUps) hangUp.abort();
  for (const other of servers) await other.stop();
});

type Waiting = { runnerId: number; name: string; hangUp: AbortController; claim: Promise<ClaimedRun | null> };

async function startWaiting(url: string, count: number, prefix: string, labels: string[] | null = null): Promise<Waiting[]> {
  const waiting: Waiting[] = [];
  for (let i = 0; i < count; i++) {
    const { runnerId, apiKey, name } = await seedRunner(db.pool, `${prefix}-${i}`);
    const hangUp = new AbortController();
    hangUps.push(hangUp);
    const claim = new ApiClient(url, apiKey).claimRun({ waitSeconds: WAIT_SECONDS, labels }, hangUp.signal).catch(() => null);
    waiting.push({ runnerId, name, hangUp, claim });
  }
  return waiting;
}

/** Every one of them holds its wait open on the server. */
async function untilAllWait(waiting: Waiting[]): Promise<void> {
  await expect
    .poll(async () => (await db.pool.query(`SELECT count(*)::int AS n FROM runner WHERE id = ANY($1) AND waiting_until > now()`, [waiting.map((w) => w.runnerId)])).rows[0].n, {
      timeout: 15_000,
    })
    .toBe(waiting.length);
}

async function trigger(through: TestServer, scraperId: number, labels?: string[]) {
  const result = await through.admin.data(TRIGGER, { id: String(scraperId), labels });
  expect(result.triggerRun.__typename).toBe('MutationTriggerRunSuccess');
  return result.triggerRun.data as { id: string; requiredLabels: string[]; waitingFor: string | null };
}

/** The claims that have answered so far, without waiting for the others. */
async function answered(waiting: Waiting[]): Promise<Array<{ runner: Waiting; run: ClaimedRun | null }>> {
  const pending = Symbol('pending');
  const states = await Promise.all(waiting.map(async (w) => ({ runner: w, run: await Promise.race([w.claim, Promise.resolve(pending)]) })));
  return states.filter((s): s is { runner: Waiting; run: ClaimedRun | null } => s.run !== pending);
}

describe('runners waiting for work', () => {
  it('hands a queued run to exactly one of 50 waiting runners, woken at once, with one wake-up', async () => {
    const waiting = await startWaiting(server.httpUrl, 50, 'fifty');
    await untilAllWait(waiting);
    // Presence follows from the held wait: each counts as connected without calling again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const listed = (await server.admin.data(RUNNERS)).runners as Array<{ name: string; online: boolean }>;
    expect(listed.filter((r) => r.name.startsWith('fifty-')).every((r) => r.online)).toBe(true);
    expect((await scrapeMetrics(server.port)).value('scrapedeck_runners_waiting')).toBe(50);
    // The waits hold sockets, not database connections: the server's pool is all it has open, waiting or not.
    const { rows: connections } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'scrapedeck'`);
    expect(connections[0].n).toBeLessThan(50);
    const { rows: inQuery } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`);
    expect(inQuery[0].n).toBeLessThanOrEqual(1);
    const wokenBefore = (await scrapeMetrics(server.port)).value('scrapedeck_runner_wakeups_total') ?? 0;

    const { scraperId } = await seedScraper(db.pool);
    const started = Date.now();
    const run = await trigger(server, scraperId);
    const first = await Promise.race(waiting.map((w) => w.claim.then((claimed) => ({ runner: w, claimed }))));
    const tookMs = Date.now() - started;
    expect(first.claimed?.id).toBe(run.id);
    expect(tookMs).toBeLessThan(5_000);

    // A moment later still only that one has answered: the others wait on.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const done = await answered(waiting);
    expect(done.map((d) => d.runner.name)).toEqual([first.runner.name]);
    const { rows } = await db.pool.query(`SELECT status, runner_id AS "runnerId" FROM run WHERE id = $1`, [Number(run.id)]);
    expect(rows[0]).toEqual({ status: 'RUNNING', runnerId: first.runner.runnerId });
    // The queued run and the claim's own change wake one runner each at most; 49 runners were not stirred.
    const woken = ((await scrapeMetrics(server.port)).value('scrapedeck_runner_wakeups_total') ?? 0) - wokenBefore;
    expect(woken).toBeGreaterThanOrEqual(1);
    expect(woken).toBeLessThanOrEqual(2);

    // A runner that hangs up leaves the line at once, and shows offline once the window has passed.
    const leaver = waiting.find((w) => w !== first.runner)!;
    leaver.hangUp.abort();
    await expect.poll(async () => (await scrapeMetrics(server.port)).value('scrapedeck_runners_waiting'), { timeout: 5_000 }).toBe(48);
    await expect
      .poll(async () => ((await server.admin.data(RUNNERS)).runners as Array<{ name: string; online: boolean }>).find((r) => r.name === leaver.name)?.online, {
        timeout: 10_000,
      })
      .toBe(false);
    for (const w of waiting) w.hangUp.abort();
  });

  it('wakes a runner waiting on one instance for a run queued through another', async () => {
    const other = await startTestServer(db.url);
    servers.push(other);
    const waiting = await startWaiting(other.httpUrl, 3, 'elsewhere');
    await untilAllWait(waiting);
    const { scraperId } = await seedScraper(db.pool);
    const started = Date.now();
    const run = await trigger(server, scraperId);
    const first = await Promise.race(waiting.map((w) => w.claim));
    expect(first?.id).toBe(run.id);
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const w of waiting) w.hangUp.abort();
  });

  it('gives a run that asks for eu only to a runner holding eu, and keeps it queued, saying so, until one comes', async () => {
    const { scraperId } = await seedScraper(db.pool, { config: { runnerLabels: ['eu'] } });
    const run = await trigger(server, scraperId);
    // The definition's labels, as no trigger asked for others.
    expect(run.requiredLabels).toEqual(['eu']);
    expect(run.waitingFor).toBe('waiting for a runner labelled eu');

    const plain = await seedRunner(db.pool, 'labels-plain');
    const plainClient = new ApiClient(server.httpUrl, plain.apiKey);
    // A runner without eu waits out its wait empty-handed, however often it asks.
    for (let i = 0; i < 2; i++) expect(await plainClient.claimRun({ waitSeconds: 1, labels: null })).toBeNull();
    expect(await plainClient.claimRun({ waitSeconds: 0, labels: null })).toBeNull();
    // Nor can it grant itself the label.
    await expect(plainClient.claimRun({ waitSeconds: 1, labels: ['eu'] })).rejects.toMatchObject({ typename: 'RunnerLabelsNotGrantedError' });

    // An eu runner that narrows itself to no label does not take it either.
    const eu = await seedRunner(db.pool, 'labels-eu');
    const set = await server.admin.data(`mutation($id: ID!) { setRunnerLabels(id: $id, labels: ["eu", "residential"]) { __typename ... on MutationSetRunnerLabelsSuccess { data { labels } } } }`, {
      id: String(eu.runnerId),
    });
    expect(set.setRunnerLabels.data.labels).toEqual(['eu', 'residential']);
    const euClient = new ApiClient(server.httpUrl, eu.apiKey);
    expect(await euClient.claimRun({ waitSeconds: 1, labels: [] })).toBeNull();
    expect((await db.pool.query(`SELECT status FROM run WHERE id = $1`, [Number(run.id)])).rows[0].status).toBe('QUEUED');

    // Holding eu, it takes the run.
    const claimed = await euClient.claimRun({ waitSeconds: 5, labels: null });
    expect(claimed?.id).toBe(run.id);

    // A trigger may ask for labels of its own, woken at once for a waiting runner that holds them.
    const { scraperId: other } = await seedScraper(db.pool, { config: { runnerLabels: ['eu'] } });
    const plainWait = plainClient.claimRun({ waitSeconds: 3, labels: null });
    const euWait = euClient.claimRun({ waitSeconds: WAIT_SECONDS, labels: ['residential'] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const second = await trigger(server, other, ['residential']);
    expect(second.requiredLabels).toEqual(['residential']);
    expect((await euWait)?.id).toBe(second.id);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await plainWait).toBeNull();
  });

  it('refuses labels that are not labels, before any work', async () => {
    const { scraperId } = await seedScraper(db.pool);
    const result = await server.admin.data(TRIGGER, { id: String(scraperId), labels: ['EU West'] });
    expect(result.triggerRun.__typename).toBe('ValidationError');
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM run WHERE scraper_id = $1`, [scraperId])).rows[0].n).toBe(0);
  });

  it('polls a server that cannot hold a claim, as runners did before', async () => {
    // An older server: it knows claimRun without arguments only, and answers it at once.
    let plainClaims = 0;
    const older: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const { query } = JSON.parse(body) as { query: string };
        res.setHeader('content-type', 'application/json');
        if (query.includes('waitSeconds')) {
          return res.end(JSON.stringify({ errors: [{ message: 'Unknown argument "waitSeconds" on field "Mutation.claimRun".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }));
        }
        plainClaims++;
        res.end(JSON.stringify({ data: { claimRun: null } }));
      });
    });
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve));
    try {
      const client = new ApiClient(`http://127.0.0.1:${(older.address() as { port: number }).port}/graphql`, 'key');
      expect(await client.claimRun({ waitSeconds: WAIT_SECONDS, labels: null })).toBeNull();
      expect(client.serverWaits).toBe(false);
      expect(await client.claimRun({ waitSeconds: WAIT_SECONDS, labels: null })).toBeNull();
      expect(plainClaims).toBe(2);
    } finally {
      older.close();
    }
  });

  it('answers every held wait at once when the server shuts down, so runners go elsewhere', async () => {
    const leaving = await startTestServer(db.url);
    const waiting = await startWaiting(leaving.httpUrl, 5, 'shutdown');
    await untilAllWait(waiting);
    const started = Date.now();
    await leaving.stop();
    const answers = await Promise.all(waiting.map((w) => w.claim));
    expect(answers).toEqual([null, null, null, null, null]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
