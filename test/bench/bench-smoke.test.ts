import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The benchmark at its tiny scale, as a real process with its own PostgreSQL and server: it proves
// that `npm run bench` still runs every phase end to end. Its figures mean nothing at this size.
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'scrapedeck-bench-smoke-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runBench(output: string): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
      env: { ...process.env, BENCH_SCALE: 'tiny', BENCH_OUTPUT: output },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    child.stderr.on('data', (chunk) => (log += chunk));
    child.on('exit', (code) => resolve({ code, log }));
  });
}

/** Every number in the results, by its path. */
function numbers(value: unknown, at = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, at ? `${at}.${k}` : k));
  return [];
}

describe('npm run bench', () => {
  it('runs every phase at tiny scale and writes positive figures as JSON', { timeout: 120_000 }, async () => {
    const output = path.join(dir, 'results.json');
    const { code, log } = await runBench(output);
    expect(code, log).toBe(0);
    expect(log).toContain('| figure | value |');
    const results = JSON.parse(await readFile(output, 'utf8'));

    for (const [at, value] of numbers(results)) expect(Number.isFinite(value) && value >= 0, `${at} = ${value}`).toBe(true);
    const positive = {
      'ingest lines/s': results.ingest.api.linesPerSecond,
      'COPY lines/s': results.ingest.copy.linesPerSecond,
      'ingest ratio': results.ingest.ratio,
      'bare table COPY lines/s': results.ingest.bareCopy.linesPerSecond,
      'ingest ratio to the bare table': results.ingest.bareRatio,
      'NOTIFY p50': results.notifyRoundTrip.p50,
      'NOTIFY p99': results.notifyRoundTrip.p99,
      'INSERT + NOTIFY p50': results.insertAndNotifyRoundTrip.p50,
      'replay lines/s': results.replay.api.linesPerSecond,
      'SELECT lines/s': results.replay.select.linesPerSecond,
      'many subscriptions p50': results.manySubscriptions.latency.p50,
      'RSS at rest': results.memory.restRss,
      'RSS at the most subscribers': results.memory.peakRssAtMostSubscribers,
      'export rows/s': results.export.rowsPerSecond,
      'RSS with many subscriptions': results.memory.rssWithManySubscriptions,
    };
    for (const [name, value] of Object.entries(positive)) expect(value, name).toBeGreaterThan(0);

    expect(results.fanout.map((f: { subscribers: number }) => f.subscribers)).toEqual(results.sizes.fanoutSubscribers);
    for (const f of results.fanout) {
      expect(f.samples, `samples at ${f.subscribers} subscribers`).toBeGreaterThan(0);
      expect(f.p50).toBeGreaterThan(0);
      expect(f.p99).toBeGreaterThanOrEqual(f.p50);
      expect(f.delivered).toBeGreaterThan(0);
    }
    // Every line watched and the busy run measured every line they sent, each once and in order.
    expect(results.watched.map((w: { subscribersPerRun: number }) => w.subscribersPerRun)).toEqual(results.sizes.watched.subscribersPerRun);
    for (const w of [...results.watched, results.busyRun]) {
      expect(w.samples).toBeGreaterThan(0);
      expect(w.delivered).toBe(1);
      expect(w.outOfOrder).toBe(0);
      expect(w.linesPerSecondAchieved).toBeGreaterThan(0);
    }
    for (const w of results.watched) expect(w.ceiling.p50).toBeGreaterThan(0);
    // The scheduler's probe ran; a tiny run may end before a minute begins, and then says so with no figures.
    expect(results.scheduler.scrapers).toBe(results.sizes.schedulerScrapers);
    if (results.scheduler.samples > 0) expect(results.scheduler.p99).toBeGreaterThan(0);
    else expect(results.scheduler.p99).toBeNull();
    // The admin phase needs Chromium; without it the figures are null and the phase says it was skipped.
    if (results.adminOpen) {
      for (const open of [results.adminOpen.small, results.adminOpen.large]) {
        expect(open.firstRowMs, `first row of ${open.lines} lines`).toBeGreaterThan(0);
        expect(open.allLoadedMs).toBeGreaterThanOrEqual(open.firstRowMs);
      }
    }
    // The fleet reached every size, its runners waited through the window without asking anything (a workAvailable wait
    // lasts up to 30 minutes and costs no request), and every triggered run was claimed and timed.
    const fleet = results.fleet;
    expect(fleet.unreached).toBeNull();
    expect(fleet.serverExited).toBe(false);
    expect(fleet.levels.map((l: { runners: number }) => l.runners)).toEqual(results.sizes.fleet.runners);
    expect(fleet.baseline.admin.samples).toBeGreaterThan(0);
    for (const level of fleet.levels) {
      expect(level.waiting, `waiting at ${level.runners}`).toBeGreaterThanOrEqual(Math.floor(level.runners * 0.9));
      expect(level.claimsAnswered, `waits ended at ${level.runners}`).toBeLessThanOrEqual(Math.floor(level.runners * 0.1));
      expect(level.claimsEarly).toBe(0);
      expect(level.runnerErrors).toEqual({});
      expect(level.serverSockets).toBeGreaterThanOrEqual(level.runners);
      expect(level.admin.samples).toBeGreaterThan(0);
      expect(level.rss).toBeGreaterThan(0);
    }
    expect(fleet.wakeUp.triggers).toBe(results.sizes.fleet.triggers);
    expect(fleet.wakeUp.claimed).toBe(fleet.wakeUp.triggers);
    expect(fleet.wakeUp.samples).toBe(fleet.wakeUp.triggers);
    expect(fleet.wakeUp.p50).toBeGreaterThan(0);
    expect(fleet.runnerErrors).toEqual({});
    expect(fleet.drainSeconds).not.toBeNull();
    expect(results.queries.length).toBeGreaterThan(0);
    for (const q of results.queries) {
      expect(q.samples, q.name).toBe(results.sizes.queryIterations);
      expect(q.p50, q.name).toBeGreaterThan(0);
    }
  });
});
