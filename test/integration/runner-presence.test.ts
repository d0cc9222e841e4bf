import { afterAll, describe, expect, it } from 'vitest';
import { collect } from '../helpers/graphql.ts';
import { scrapeMetrics } from '../helpers/metrics.ts';
import { useTestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

// Auth records a runner's calls to within 5 s, so the window must be longer for a comeback to show.
const WINDOW_SECONDS = 6;
const SWEEP_SECONDS = 0.25;
const { server } = useTestServer({ runnerOnlineWindowSeconds: WINDOW_SECONDS, runnerPresenceSweepSeconds: SWEEP_SECONDS });

const CREATE = `mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey runner { id online } } } } }`;
const CLAIM = `mutation { claimRun { __typename } }`;
const SUBSCRIBE = `subscription { runnerUpdated { id name online lastSeenAt } }`;

type Update = { runnerUpdated: { id: string; name: string; online: boolean; lastSeenAt: string | null } };

const clients: Array<{ dispose(): Promise<void> | void }> = [];
afterAll(async () => {
  for (const c of clients) await c.dispose();
});

describe('runner presence', () => {
  it('pushes a runner going offline after the window without a run event, and back online on its next call', async () => {
    const { createRunner } = await server.admin.data(CREATE, { name: 'presence-1' });
    const { apiKey, runner } = createRunner.data as { apiKey: string; runner: { id: string; online: boolean } };
    expect(runner.online).toBe(false);
    const ws = server.admin.ws();
    clients.push(ws);
    const updates = collect<Update>(ws, SUBSCRIBE);
    // Changes are told against the first reading taken once a subscriber is there: the runner must call after it.
    await waitUntil(async () => {
      const metrics = await scrapeMetrics(server.port);
      return metrics.value('scrapedeck_subscribers', { subscription: 'runnerUpdated' }) === 1 && metrics.value('scrapedeck_runner_presence_readings_total')! >= 1;
    }, 'the presence baseline');
    const runnerClient = server.client({ apiKey });
    const events = () => updates.events.map((e) => e.runnerUpdated).filter((r) => r.id === runner.id);

    await runnerClient.data(CLAIM);
    await updates.waitFor(() => events().length === 1, 5_000);
    expect(events()[0]).toMatchObject({ name: 'presence-1', online: true });
    const seenAt = Date.parse(events()[0]!.lastSeenAt!);

    await updates.waitFor(() => events().length === 2, (WINDOW_SECONDS + 3) * 1000);
    expect(events()[1]!.online).toBe(false);
    const silentFor = Date.now() - seenAt;
    expect(silentFor).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000);
    const { runners } = await server.admin.data(`{ runners { id online } }`);
    expect(runners.find((r: { id: string }) => r.id === runner.id).online).toBe(false);

    await runnerClient.data(CLAIM);
    await updates.waitFor(() => events().length === 3, 5_000);
    expect(events()[2]!.online).toBe(true);
    expect(updates.errors).toEqual([]);
  }, 30_000);

  it('refuses runnerUpdated to a caller without a token', async () => {
    const ws = server.client().ws();
    clients.push(ws);
    const updates = collect(ws, SUBSCRIBE);
    await updates.waitFor(() => updates.errors.length > 0 || updates.completed, 5_000);
    expect(updates.events).toEqual([]);
  });
});
