/**
 * Runners wait for work on the workAvailable subscription, the runner's default: a queued run signals
 * one of them at once and that one claims it; the waits hold no database connection, count as
 * presence, end at once on shutdown, work across instances and under labels; a runner talking to a
 * server without the subscription holds claims instead. The runners here are the runner's own API
 * client and wait loop (nextRun), as a runner process uses them.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, RejectedError, WebsocketUnavailableError, type ClaimedRun, type WaitOutcome } from '../../scrapers/runner/apiClient.ts';
import { nextRun } from '../../scrapers/runner/nextRun.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { startTestServer, useTestServer, type TestServer } from '../helpers/server.ts';

const TRIGGER = /* GraphQL */ `
  mutation($id: ID!, $labels: [String!]) {
    triggerRun(scraperId: $id, runnerLabels: $labels) { __typename ... on MutationTriggerRunSuccess { data { id waitingFor } } }
  }`;
const RUNNERS = /* GraphQL */ `{ runners { id online } }`;
/** Far longer than any signal may take: a run claimed well within it was signalled, not found by a sweep or a wait's end. */
const WAIT_SECONDS = 30;
const SIGNALLED_WITHIN_MS = 3_000;

// A short presence window, so that a runner whose wait ended shows offline within the test; and sweeps
// for runs left claimable every second rather than every 10 s, so that the tests below meet several.
const { db, server } = useTestServer({ runnerOnlineWindowSeconds: 1, claimSweepMs: 1_000 });
const servers: TestServer[] = [];
const clients: ApiClient[] = [];
const stops: AbortController[] = [];

afterAll(async () => {
  for (const stop of stops) stop.abort();
  await Promise.all(clients.map((client) => client.close()));
  for (const other of servers) await other.stop();
});

type Waiter = { runnerId: number; api: ApiClient; stop: AbortController; outcome: Promise<WaitOutcome | Error> };

async function startWaiting(url: string, count: number, prefix: string, labels: string[] | null = null, granted: string[] = []): Promise<Waiter[]> {
  const waiters: Waiter[] = [];
  for (let i = 0; i < count; i++) {
    const { runnerId, apiKey } = await seedRunner(db.pool, `${prefix}-${i}`);
    if (granted.length > 0) await db.pool.query(`UPDATE runner SET labels = $2 WHERE id = $1`, [runnerId, granted]);
    const api = new ApiClient(url, apiKey);
    clients.push(api);
    const stop = new AbortController();
    stops.push(stop);
    waiters.push({ runnerId, api, stop, outcome: api.waitForWork(labels, stop.signal).catch((error: Error) => error) });
  }
  return waiters;
}

async function untilWaiting(port: number, count: number): Promise<void> {
  await expect.poll(async () => (await scrapeMetrics(port)).value('scrapedeck_runners_waiting'), { timeout: 15_000 }).toBe(count);
}

async function trigger(through: TestServer, scraperId: number, labels?: string[]) {
  const result = await through.admin.data(TRIGGER, { id: String(scraperId), labels });
  expect(result.triggerRun.__typename).toBe('MutationTriggerRunSuccess');
  return result.triggerRun.data as { id: string; waitingFor: string | null };
}

/** The waits that have ended so far, without waiting for the others. */
async function ended(waiters: Waiter[]): Promise<Array<{ waiter: Waiter; outcome: WaitOutcome | Error }>> {
  const pending = Symbol('pending');
  const states = await Promise.all(waiters.map(async (waiter) => ({ waiter, outcome: await Promise.race([waiter.outcome, Promise.resolve(pending)]) })));
  return states.filter((s): s is { waiter: Waiter; outcome: WaitOutcome | Error } => s.outcome !== pending);
}

describe('runners waiting for work on the workAvailable subscription', () => {
  it('signals exactly one of 50 waiting runners at once, which claims the run, and costs one wake-up', async () => {
    const waiters = await startWaiting(server.httpUrl, 50, 'fifty');
    await untilWaiting(server.port, 50);
    // The waits hold sockets, not database connections, and no query runs for them.
    const { rows: connections } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'scrapedeck'`);
    expect(connections[0].n).toBeLessThan(50);
    const { rows: inQuery } = await db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`);
    expect(inQuery[0].n).toBeLessThanOrEqual(1);
    const wokenBefore = (await scrapeMetrics(server.port)).value('scrapedeck_runner_wakeups_total') ?? 0;
    const { scraperId } = await seedScraper(db.pool, { slug: 'fifty-signalled' });
    const started = Date.now();
    const run = await trigger(server, scraperId);

    await expect.poll(async () => (await ended(waiters)).length, { timeout: SIGNALLED_WITHIN_MS, interval: 20 }).toBe(1);
    const [signalled] = await ended(waiters);
    expect(signalled!.outcome).toBe('signalled');
    const claimed = await signalled!.waiter.api.claimRun({ waitSeconds: 0, labels: null });
    expect(claimed?.id).toBe(run.id);
    expect(Date.now() - started).toBeLessThan(SIGNALLED_WITHIN_MS);
    // Nobody else was told: the other 49 still wait, and one wake-up was spent.
    expect(await ended(waiters)).toHaveLength(1);
    await untilWaiting(server.port, 49);
    const woken = ((await scrapeMetrics(server.port)).value('scrapedeck_runner_wakeups_total') ?? 0) - wokenBefore;
    expect(woken).toBe(1);

    // A runner that leaves stops counting as waiting at once.
    for (const waiter of waiters) waiter.stop.abort();
    await untilWaiting(server.port, 0);
    await db.pool.query(`UPDATE run SET status = 'SUCCESS', completed_at = now() WHERE id = $1`, [Number(run.id)]);
  });

  it('signals at once a runner that starts waiting while a run is already queued', async () => {
    const { scraperId } = await seedScraper(db.pool, { slug: 'already-queued' });
    const run = await trigger(server, scraperId);
    const [waiter] = await startWaiting(server.httpUrl, 1, 'late');
    expect(await waiter!.outcome).toBe('signalled');
    expect((await waiter!.api.claimRun({ waitSeconds: 0, labels: null }))?.id).toBe(run.id);
    await db.pool.query(`UPDATE run SET status = 'SUCCESS', completed_at = now() WHERE id = $1`, [Number(run.id)]);
  });

  it('signals a runner waiting on one instance for a run queued through another', async () => {
    const other = await startTestServer(db.url);
    servers.push(other);
    const waiters = await startWaiting(other.httpUrl, 3, 'elsewhere');
    await untilWaiting(other.port, 3);
    const { scraperId } = await seedScraper(db.pool, { slug: 'across-instances' });
    const run = await trigger(server, scraperId);
    await expect.poll(async () => (await ended(waiters)).length, { timeout: SIGNALLED_WITHIN_MS, interval: 20 }).toBe(1);
    const [signalled] = await ended(waiters);
    expect(signalled!.outcome).toBe('signalled');
    expect((await signalled!.waiter.api.claimRun({ waitSeconds: 0, labels: null }))?.id).toBe(run.id);
    for (const waiter of waiters) waiter.stop.abort();
    await untilWaiting(other.port, 0);
  });

  it('tells a runner without eu nothing of a run that asks for eu, and one holding eu at once', async () => {
    const plain = await startWaiting(server.httpUrl, 2, 'plain');
    await untilWaiting(server.port, 2);
    const { scraperId } = await seedScraper(db.pool, { slug: 'eu-only' });
    const run = await trigger(server, scraperId, ['eu']);
    expect(run.waitingFor).toBe('waiting for a runner labelled eu');
    // Through several sweeps of every scraper, which find the run claimable and no runner that may take it.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await ended(plain)).toHaveLength(0);

    const [eu] = await startWaiting(server.httpUrl, 1, 'holding-eu', ['eu'], ['eu', 'gpu']);
    expect(await eu!.outcome).toBe('signalled');
    expect((await eu!.api.claimRun({ waitSeconds: 0, labels: ['eu'] }))?.id).toBe(run.id);
    expect(await ended(plain)).toHaveLength(0);
    for (const waiter of plain) waiter.stop.abort();
    await untilWaiting(server.port, 0);
  });

  it('has a waiting runner whose labels an admin changes wait again under them, and take the run they let it take', async () => {
    const { runnerId, apiKey } = await seedRunner(db.pool, 'relabelled');
    const api = new ApiClient(server.httpUrl, apiKey);
    clients.push(api);
    const stop = new AbortController();
    stops.push(stop);
    // The runner's own loop: wait, claim, and back off a moment when the wait is cut short.
    const claimed = (async () => {
      while (!stop.signal.aborted) {
        const run = await nextRun(api, { waitSeconds: WAIT_SECONDS, pollMs: 50, labels: null }, stop.signal).catch(() => new Promise<null>((resolve) => setTimeout(resolve, 100, null)));
        if (run) return run;
      }
      return null;
    })();
    await untilWaiting(server.port, 1);
    const set = await server.admin.data(`mutation($id: ID!) { setRunnerLabels(id: $id, labels: ["gpu"]) { __typename } }`, { id: String(runnerId) });
    expect(set.setRunnerLabels.__typename).toBe('MutationSetRunnerLabelsSuccess');
    const { scraperId } = await seedScraper(db.pool, { slug: 'gpu-only' });
    const started = Date.now();
    const run = await trigger(server, scraperId, ['gpu']);
    expect((await claimed)?.id).toBe(run.id);
    // Not by the end of a 30-minute wait, nor a sweep's: at once.
    expect(Date.now() - started).toBeLessThan(SIGNALLED_WITHIN_MS);
    stop.abort();
  });

  it('finds within two sweeps a run whose announcement never came', async () => {
    const [waiter] = await startWaiting(server.httpUrl, 1, 'unannounced');
    await untilWaiting(server.port, 1);
    const { scraperId } = await seedScraper(db.pool, { slug: 'unannounced' });
    // Queued behind the API's back: no NOTIFY, as when a signal is lost on its way.
    const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO run (scraper_id, triggered_by) VALUES ($1, 'API') RETURNING id`, [scraperId]);
    expect(await waiter!.outcome).toBe('signalled');
    expect((await waiter!.api.claimRun({ waitSeconds: 0, labels: null }))?.id).toBe(String(rows[0]!.id));
  });

  it('refuses labels the runner does not hold, so that its key cannot grant itself other work', async () => {
    const [waiter] = await startWaiting(server.httpUrl, 1, 'not-granted', ['us']);
    const outcome = await waiter!.outcome;
    expect(outcome).toBeInstanceOf(RejectedError);
    expect((outcome as RejectedError).typename).toBe('RunnerLabelsNotGrantedError');
  });

  it('lets runner keys it knows past the per-address connection limit, as a fleet behind one NAT address needs, and holds the wait of a runner it refuses over HTTP', async () => {
    const limited = await startTestServer(db.url, { rateLimitConnectionsPerMinute: 1 });
    servers.push(limited);
    const keys = await Promise.all([1, 2, 3, 4, 5].map((i) => seedRunner(db.pool, `behind-nat-${i}`)));
    const apis = keys.map(({ apiKey }) => new ApiClient(limited.httpUrl, apiKey));
    clients.push(...apis);
    // The first three have called over HTTP, so the instance knows their keys; the other two have not.
    for (const api of apis.slice(0, 3)) expect(await api.claimRun({ waitSeconds: 0, labels: null })).toBeNull();
    const stop = new AbortController();
    stops.push(stop);
    // The fourth takes the address's one new connection of the minute; the known three pass without one.
    const waits = apis.slice(0, 4).map((api) => api.waitForWork(null, stop.signal).catch((error: Error) => error));
    await untilWaiting(limited.port, 4);
    expect(await apis[4]!.waitForWork(null, stop.signal).catch((error: Error) => error)).toBeInstanceOf(WebsocketUnavailableError);

    // Refused a websocket, the runner's loop holds its wait as a claim over HTTP instead, and is woken all the same:
    // the run goes to whichever of the five waited longest, the held claim or one of the four told.
    const held = nextRun(apis[4]!, { waitSeconds: WAIT_SECONDS, pollMs: 10, labels: null }, stop.signal);
    await untilWaiting(limited.port, 5);
    const { scraperId } = await seedScraper(db.pool, { slug: 'behind-nat' });
    const run = await trigger(limited, scraperId);
    const nobody = new Promise<null>((resolve) => setTimeout(resolve, SIGNALLED_WITHIN_MS, null));
    const taken = await Promise.race([
      held,
      ...waits.map(async (wait, i) => ((await wait) === 'signalled' ? apis[i]!.claimRun({ waitSeconds: 0, labels: null }) : new Promise<null>(() => {}))),
      nobody,
    ]);
    expect(taken?.id).toBe(run.id);
    stop.abort();
    await untilWaiting(limited.port, 0);
    await db.pool.query(`UPDATE run SET status = 'SUCCESS', completed_at = now() WHERE id = $1`, [Number(run.id)]);
  });

  it('counts a waiting runner as connected, and not once its connection is gone', async () => {
    const [waiter] = await startWaiting(server.httpUrl, 1, 'present');
    await untilWaiting(server.port, 1);
    const online = async () => ((await server.admin.data(RUNNERS)).runners as Array<{ id: string; online: boolean }>).find((r) => r.id === String(waiter!.runnerId))?.online;
    // Past the 1 s presence window of its last call: only the wait keeps it online.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await online()).toBe(true);
    await waiter!.api.close();
    await expect.poll(online, { timeout: 5_000 }).toBe(false);
  });

  it('ends every wait at once when the server shuts down, so runners go elsewhere, several waits of one runner alike', async () => {
    const leaving = await startTestServer(db.url);
    const waiters = await startWaiting(leaving.httpUrl, 4, 'shutdown');
    // A second worker of the first runner, on the same websocket.
    const second = waiters[0]!.api.waitForWork(null, waiters[0]!.stop.signal).catch((error: Error) => error);
    await untilWaiting(leaving.port, 5);
    const started = Date.now();
    await leaving.stop();
    expect(await Promise.all([...waiters.map((w) => w.outcome), second])).toEqual(['ended', 'ended', 'ended', 'ended', 'ended']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('holds claims open instead on a server that cannot tell of work', async () => {
    let heldClaims = 0;
    let plainClaims = 0;
    const older: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const { query, variables } = JSON.parse(body) as { query: string; variables: { waitSeconds?: number } };
        res.setHeader('content-type', 'application/json');
        if (query.includes('waitSeconds')) {
          if (variables.waitSeconds) heldClaims++;
          return res.end(JSON.stringify({ data: { claimRun: null } }));
        }
        plainClaims++;
        res.end(JSON.stringify({ data: { claimRun: null } }));
      });
    });
    // It takes websockets, as an older Scrapedeck does, but knows no workAvailable.
    const { WebSocketServer } = await import('ws');
    const sockets = new WebSocketServer({ server: older, handleProtocols: () => 'graphql-transport-ws' });
    sockets.on('connection', (socket) =>
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id?: string };
        if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
        if (message.type === 'subscribe') {
          socket.send(JSON.stringify({ type: 'error', id: message.id, payload: [{ message: 'Cannot query field "workAvailable" on type "Subscription".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }));
        }
      }),
    );
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve));
    const api = new ApiClient(`http://127.0.0.1:${(older.address() as { port: number }).port}/graphql`, 'key');
    clients.push(api);
    try {
      const stop = new AbortController();
      // Its wait is held: the stand-in answers at once, which a runner takes for a wait ended early and pauses after.
      const first: Promise<ClaimedRun | null> = nextRun(api, { waitSeconds: WAIT_SECONDS, pollMs: 10, labels: null }, stop.signal);
      await expect.poll(() => heldClaims, { timeout: 10_000 }).toBe(1);
      stop.abort();
      expect(await first).toBeNull();
      expect(api.serverSignals).toBe(false);
      expect(api.serverWaits).toBe(true);
    } finally {
      sockets.close();
      older.close();
    }
    expect(plainClaims).toBe(0);
  });
});
