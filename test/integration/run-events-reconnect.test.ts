/**
 * runUpdated subscribers of a scraper or of every run, when the server's LISTEN connection is
 * killed: the runs that changed while it was away are read from the table and delivered.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { finishRun } from '../../server/runs/sql/finishRun.ts';
import { enqueueRun } from '../../server/runs/sql/enqueueRun.ts';
import { collect } from '../helpers/graphql.ts';
import { listenerBackends, withListenersCut } from '../helpers/listener.ts';
import { claimRunFor } from '../helpers/runs.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';
import { useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const RUN_UPDATED = `subscription($scraperId: ID) { runUpdated(scraperId: $scraperId) { id status scraper { id } } }`;

const { db, server } = useTestServer();
let watched: number;
let other: number;
let runner: Awaited<ReturnType<typeof seedRunner>>;

beforeAll(async () => {
  ({ scraperId: watched } = await seedScraper(db.pool, { slug: 'watched' }));
  ({ scraperId: other } = await seedScraper(db.pool, { slug: 'other' }));
  runner = await seedRunner(db.pool);
});

async function runUpdatedSubscribers(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  return Number(text.match(/scrapedeck_subscribers\{[^}]*subscription="runUpdated"[^}]*\} (\d+)/)?.[1] ?? 0);
}

type Update = { runUpdated: { id: string; status: string; scraper: { id: string } } };
const seen = (sub: { events: Update[] }, runId: number | string, status: string) =>
  sub.events.some((e) => e.runUpdated.id === String(runId) && e.runUpdated.status === status);

describe('runUpdated across a LISTEN reconnect', () => {
  it('delivers to subscribers of a scraper and of every run the runs that changed while the connection was away', async () => {
    const running = await claimRunFor(server, watched, runner.apiKey);
    const ws = server.admin.ws();
    const byScraper = collect<Update>(ws, RUN_UPDATED, { scraperId: String(watched) });
    const everyRun = collect<Update>(ws, RUN_UPDATED, {});
    await waitUntil(async () => (await runUpdatedSubscribers()) === 2, 'both subscriptions to register');
    const warmUp = await enqueueRun(db.pool, { scraperId: watched, triggeredBy: 'API' });
    await byScraper.waitFor(() => seen(byScraper, warmUp, 'QUEUED'));
    await everyRun.waitFor(() => seen(everyRun, warmUp, 'QUEUED'));
    expect(await listenerBackends(db)).toBe(1);

    // No connection can be made until the writes below are committed, so their notifications are lost.
    const [queuedAway, otherAway] = await withListenersCut(db, async (writer) => {
      expect(await finishRun(writer, { runId: Number(running), status: 'SUCCESS', fromStatuses: ['RUNNING'], runnerId: null })).not.toBeNull();
      return [await enqueueRun(writer, { scraperId: watched, triggeredBy: 'API' }), await enqueueRun(writer, { scraperId: other, triggeredBy: 'API' })];
    });

    await waitUntil(async () => (await listenerBackends(db)) === 1, 'the instance to listen again');
    await byScraper.waitFor(() => seen(byScraper, running, 'SUCCESS') && seen(byScraper, queuedAway, 'QUEUED'));
    await everyRun.waitFor(() => seen(everyRun, running, 'SUCCESS') && seen(everyRun, queuedAway, 'QUEUED') && seen(everyRun, otherAway, 'QUEUED'));
    // A scraper's subscriber gets that scraper's runs only.
    expect(byScraper.events.every((e) => e.runUpdated.scraper.id === String(watched))).toBe(true);

    // Live delivery is back too.
    const after = await enqueueRun(db.pool, { scraperId: watched, triggeredBy: 'API' });
    await byScraper.waitFor(() => seen(byScraper, after, 'QUEUED'));
    expect([...byScraper.errors, ...everyRun.errors]).toEqual([]);
    byScraper.dispose();
    everyRun.dispose();
    await ws.dispose();
  });
});
