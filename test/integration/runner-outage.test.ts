import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/database.ts';
import { labDefinition, startFixtureSites, type FixtureSites } from '../helpers/fixtures.ts';
import { startRunner, type TestRunner } from '../helpers/runner.ts';
import { seedScraper } from '../helpers/seed.ts';
import { expireLeases } from '../../server/scheduler/sql/expireLeases.ts';
import { startApiProcess, type ApiProcess } from '../helpers/serverProcess.ts';
import { waitUntil } from '../helpers/waitUntil.ts';

const CREATE_RUNNER = /* GraphQL */ `
  mutation($name: String!) { createRunner(name: $name) { ... on MutationCreateRunnerSuccess { data { apiKey } } } }`;
const TRIGGER = /* GraphQL */ `
  mutation($id: ID!) { triggerRun(scraperId: $id) { ... on MutationTriggerRunSuccess { data { id } } } }`;

const db = useTestDatabase();
let api: ApiProcess;
let sites: FixtureSites;
let apiKey: string;
let scraperId: number;
const runners: TestRunner[] = [];
const spoolDirs: string[] = [];

beforeAll(async () => {
  sites = await startFixtureSites();
  api = await startApiProcess({ databaseUrl: db.url });
  apiKey = (await api.admin.data(CREATE_RUNNER, { name: 'outage-runner' })).createRunner.data.apiKey;
  // About 4 seconds of scraping: long enough to stop the API in the middle of it.
  ({ scraperId } = await seedScraper(db.pool, { config: labDefinition(sites, { slug: 'outage-lab', count: 80, delayMs: 50 }) }));
});

afterAll(async () => {
  for (const runner of runners) await runner.stop();
  await api?.stop();
  await sites?.stop();
  for (const dir of spoolDirs) await rm(dir, { recursive: true, force: true });
});

const runRow = async (jobId: string) =>
  (await db.pool.query<{ status: string; last_seq: number; error_type: string | null }>(`SELECT status, last_seq, error_type FROM run WHERE id = $1`, [Number(jobId)])).rows[0]!;

const storedLines = async (jobId: string) =>
  (await db.pool.query<{ seq: number; level: string; message: string }>(`SELECT seq, level, message FROM log_line WHERE run_id = $1 ORDER BY seq`, [Number(jobId)])).rows;

const found = (runner: TestRunner, jobId: string, sku: string) => () =>
  runner.jobLines(jobId).some((l) => l.message.startsWith(`SKU ${sku}: found data`));

describe('a runner while the API is away', () => {
  it('keeps scraping, then delivers every line exactly once and in order after the API restarts', async () => {
    // Two operations in memory at most: the outage must spill the rest to disk.
    const runner = await startRunner({ apiUrl: api.httpUrl, apiKey, heartbeatMs: 1_000, env: { RUNNER_MEMORY_LIMIT: '2' } });
    runners.push(runner);
    const jobId: string = (await api.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;
    await waitUntil(async () => (await runRow(jobId)).last_seq >= 10, 'the first lines stored', 30_000);

    await api.kill();
    // Scraping goes on without the API, and the runner says that it keeps its lines.
    await runner.waitForOutput(found(runner, jobId, 'LAB-0040'), 30_000);
    await runner.waitForOutput((out) => out.some((l) => l.msg === 'API unreachable; retrying with the same batch'));
    const jobDir = path.join(runner.spoolDir, `job-${jobId}`);
    await waitUntil(async () => (await readdir(jobDir)).some((f) => f.endsWith('.jsonl')), 'lines spilled to disk', 30_000);
    await api.restart();

    await waitUntil(async () => (await runRow(jobId)).status === 'SUCCESS', 'the run completed', 30_000);
    const logged = runner.jobLines(jobId);
    const stored = await storedLines(jobId);
    expect(stored.map((l) => l.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    expect(stored.map(({ level, message }) => ({ level, message }))).toEqual(logged);
    expect(logged.at(-1)!.message).toBe(`Job ${jobId} complete: 80 SKUs processed (80 with data, 0 without, 0 failed)`);
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM product WHERE run_id = $1`, [Number(jobId)]);
    expect(rows[0]!.n).toBe(80);
    // Its duration is the runner's scraping time (its first to its last line, on its clock), not the
    // time until its outcome reached the API after the outage.
    const { rows: times } = await db.pool.query<{ duration: number; serverSpan: number; logSpan: number }>(
      `SELECT duration_seconds AS duration, extract(epoch FROM completed_at - started_at)::float8 AS "serverSpan",
              (SELECT extract(epoch FROM max("timestamp") - min("timestamp"))::float8 FROM log_line WHERE run_id = run.id) AS "logSpan"
         FROM run WHERE id = $1`,
      [Number(jobId)],
    );
    expect(Math.abs(times[0]!.duration - times[0]!.logSpan)).toBeLessThan(1);
    expect(times[0]!.duration).toBeLessThan(times[0]!.serverSpan);
    await runner.stop();
    runners.pop();
  });

  it('keeps what it could not send on disk when stopped, and the next runner on that spool sends it', async () => {
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-spool-'));
    spoolDirs.push(spoolDir);
    const first = await startRunner({
      apiUrl: api.httpUrl,
      apiKey,
      spoolDir,
      heartbeatMs: 1_000,
      // No grace: SIGTERM stops the run at once and releases it as ERROR.
      env: { RUNNER_GRACE_MS: '0', RUNNER_FLUSH_MS: '300' },
    });
    const jobId: string = (await api.admin.data(TRIGGER, { id: String(scraperId) })).triggerRun.data.id;
    await waitUntil(async () => (await runRow(jobId)).last_seq >= 5, 'the first lines stored', 30_000);

    await api.kill();
    await first.waitForOutput(found(first, jobId, 'LAB-0020'), 30_000);
    expect(await first.stop()).toBe(0);
    const logged = first.jobLines(jobId);
    expect(logged.at(-1)!.message).toMatch(/^Runner is shutting down: run stopped after \d+ SKUs and released as ERROR$/);
    expect(await readdir(path.join(spoolDir, `job-${jobId}`))).not.toHaveLength(0);

    await api.restart();
    const second = await startRunner({ apiUrl: api.httpUrl, apiKey, spoolDir });
    runners.push(second);
    await waitUntil(async () => (await runRow(jobId)).status === 'ERROR', 'the released run reported', 30_000);
    expect((await runRow(jobId)).error_type).toBe('RUNNER_SHUTDOWN');
    const stored = await storedLines(jobId);
    expect(stored.map((l) => l.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    expect(stored.map(({ level, message }) => ({ level, message }))).toEqual(logged);
  });

  it('cut off past its lease, stops the lost run when the API is back and drops its kept lines with one warning that counts them', async () => {
    // The only runner, so that it is the one that claims the run.
    while (runners.length > 0) await runners.pop()!.stop();
    const runner = await startRunner({ apiUrl: api.httpUrl, apiKey, heartbeatMs: 1_000 });
    runners.push(runner);
    // A run long enough (20 s) to be still scraping when the API is back, however slowly it restarts.
    const { scraperId: longLab } = await seedScraper(db.pool, { config: labDefinition(sites, { slug: 'outage-lab-long', count: 400, delayMs: 50 }) });
    const jobId: string = (await api.admin.data(TRIGGER, { id: String(longLab) })).triggerRun.data.id;
    await waitUntil(async () => (await runRow(jobId)).last_seq >= 5, 'the first lines stored', 30_000);

    await api.kill();
    // While the runner cannot reach the API, the scheduler takes the run as lost and queues a retry.
    await db.pool.query(`UPDATE run SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [Number(jobId)]);
    const expired = await expireLeases(db.pool, new Date(Date.now() + 1_000));
    expect(expired).toEqual([{ runId: Number(jobId), retryRunId: expect.any(Number), scraperId: longLab }]);
    const storedAtLoss = await storedLines(jobId);
    await runner.waitForOutput(found(runner, jobId, 'LAB-0030'), 30_000);
    await api.restart();

    await runner.waitForOutput((out) => out.some((l) => l.jobId === jobId && l.msg === 'job stopped: the run ended on the server'), 30_000);
    // The lost run's logs stay as they were when it was lost.
    expect(await storedLines(jobId)).toEqual(storedAtLoss);
    expect((await runRow(jobId)).error_type).toBe('RUNNER_LOST');
    const logged = runner.jobLines(jobId);
    expect(logged.at(-1)!.message).toMatch(/^Run is ERROR and no longer held by this runner: stopped$/);
    // Everything logged after what was stored went nowhere, and the runner said so once, with the count.
    const warnings = runner.output.filter((l) => l.jobId === jobId && /dropped \d+ unsent log lines/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ status: 'ERROR', lines: logged.length - storedAtLoss.length });
    expect(logged.length - storedAtLoss.length).toBeGreaterThan(20);
  });
});
