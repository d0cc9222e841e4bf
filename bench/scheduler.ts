/**
 * Scheduler latency on the real clock: scrapers scheduled every minute, left to the server's own
 * scheduler while the benchmark's other phases load it, and for each fire time that queued a run the
 * time from the fire time to the run being QUEUED. Each queued run is cancelled a moment later (no
 * runner takes them), so that the next minute queues again rather than finding it still queued.
 */
import type pg from 'pg';
import { seedScraper } from '../test/helpers/seed.ts';
import { latency, type Latency } from './stats.ts';

/** p50, p99 and max are null when no minute began during the run (a tiny run is shorter than a minute). */
export type SchedulerFigures = Omit<Latency, 'p50' | 'p99' | 'max'> & {
  p50: number | null;
  p99: number | null;
  max: number | null;
  scrapers: number;
  minutes: number;
  overlapSkips: number;
  missed: number;
};

export async function startSchedulerProbe(pool: pg.Pool, scrapers: number): Promise<{ stop(): Promise<SchedulerFigures> }> {
  const ids: number[] = [];
  for (let i = 0; i < scrapers; i++) ids.push((await seedScraper(pool, { slug: `bench-cron-${i}`, cron: '* * * * *' })).scraperId);
  // From now on: the minutes before the probe are not missed ones.
  await pool.query(`UPDATE scraper SET scheduled_through = now() WHERE id = ANY($1)`, [ids]);
  const startedAt = Date.now();
  const clear = () => pool.query(`UPDATE run SET status = 'CANCELLED' WHERE scraper_id = ANY($1) AND status = 'QUEUED'`, [ids]);
  const timer = setInterval(() => {
    clear().catch((error: Error) => process.stderr.write(`[bench] scheduler probe: cancelling queued runs failed: ${error.message}\n`));
  }, 5_000);
  // A phase that fails must not leave this keeping the benchmark alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      const { rows } = await pool.query<{ outcome: string; ms: number | null }>(
        `SELECT t.outcome, extract(epoch FROM run.queued_at - t.fire_at)::float8 * 1000 AS ms
           FROM scheduler_tick t LEFT JOIN run ON run.id = t.run_id
          WHERE t.scraper_id = ANY($1)`,
        [ids],
      );
      await clear();
      // The probe's scrapers stop firing: later phases are measured without them.
      await pool.query(`UPDATE scraper SET cron = NULL WHERE id = ANY($1)`, [ids]);
      const queued = rows.filter((r) => r.outcome === 'QUEUED' && r.ms !== null).map((r) => r.ms!);
      return {
        ...(queued.length > 0 ? latency(queued) : { samples: 0, p50: null, p99: null, max: null }),
        scrapers,
        minutes: Math.floor((Date.now() - startedAt) / 60_000),
        overlapSkips: rows.filter((r) => r.outcome === 'SKIPPED_OVERLAP').length,
        missed: rows.filter((r) => r.outcome === 'SKIPPED_MISSED').length,
      };
    },
  };
}
