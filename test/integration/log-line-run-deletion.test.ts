/**
 * log_line has no foreign key to run (one lookup per stored line was a third of the append's time):
 * lines are stored only for a RUNNING run the append statement has locked, and a run's lines go
 * with the run, however it is deleted. No line is ever left without its run.
 */
import { describe, expect, it } from 'vitest';
import { insertLogBatch, type LogLineInput } from '../../server/logs/sql/insertLogBatch.ts';
import { useTestDatabase } from '../helpers/database.ts';
import { seedRunner, seedScraper } from '../helpers/seed.ts';

const db = useTestDatabase();

const LINES: LogLineInput[] = [
  { level: 'INFO', message: 'fetched page 1' },
  { level: 'ERROR', message: 'GET /catalog 403 Forbidden' },
];

async function runningRun(scraperId?: number): Promise<{ runId: number; runnerId: number; scraperId: number }> {
  const scraper = scraperId ?? (await seedScraper(db.pool)).scraperId;
  const { runnerId } = await seedRunner(db.pool);
  const { rows } = await db.pool.query<{ id: number }>(
    `INSERT INTO run (scraper_id, status, triggered_by, started_at, runner_id, lease_expires_at)
     VALUES ($1, 'RUNNING', 'API', now(), $2, now() + interval '1 hour') RETURNING id`,
    [scraper, runnerId],
  );
  return { runId: rows[0]!.id, runnerId, scraperId: scraper };
}

const store = (runId: number, runnerId: number | null, batchId: string) =>
  insertLogBatch(db.pool, { runId, batchId, lines: LINES, runnerId, leaseSeconds: 60 });

async function linesOf(runIds: number[]): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM log_line WHERE run_id = ANY($1)`, [runIds]);
  return rows[0]!.n;
}

const orphans = async () =>
  (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM log_line l WHERE NOT EXISTS (SELECT 1 FROM run WHERE run.id = l.run_id)`)).rows[0]!.n;

describe('log lines and their run', () => {
  it('stores nothing for a run that does not exist or is not RUNNING', async () => {
    const missing = 2_000_000_000;
    expect(await store(missing, null, 'to-nowhere')).toBeNull();
    const { runId, runnerId } = await runningRun();
    await db.pool.query(`UPDATE run SET status = 'SUCCESS', completed_at = now() WHERE id = $1`, [runId]);
    expect(await store(runId, runnerId, 'after-the-end')).toBeNull();
    expect(await linesOf([missing, runId])).toBe(0);
  });

  it('deletes the lines of a deleted run, and only its own', async () => {
    const deleted = await runningRun();
    const kept = await runningRun();
    await store(deleted.runId, deleted.runnerId, 'a');
    await store(kept.runId, kept.runnerId, 'a');
    await db.pool.query(`DELETE FROM run WHERE id = $1`, [deleted.runId]);
    expect(await linesOf([deleted.runId])).toBe(0);
    expect(await linesOf([kept.runId])).toBe(LINES.length);
    expect(await orphans()).toBe(0);
  });

  it("deletes the lines of every run of a deleted scraper, in one statement's cascade", async () => {
    const first = await runningRun();
    const second = await runningRun(first.scraperId);
    await store(first.runId, first.runnerId, 'a');
    await store(second.runId, second.runnerId, 'a');
    await db.pool.query(`DELETE FROM scraper WHERE id = $1`, [first.scraperId]);
    expect(await linesOf([first.runId, second.runId])).toBe(0);
    expect(await orphans()).toBe(0);
  });

  it('leaves no line behind when a run is deleted while a batch is being appended to it', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const { runId, runnerId } = await runningRun();
      const appends = Array.from({ length: 5 }, (_, i) => store(runId, runnerId, `race-${i}`).catch(() => null));
      await Promise.all([...appends, db.pool.query(`DELETE FROM run WHERE id = $1`, [runId])]);
      expect(await linesOf([runId])).toBe(0);
    }
    expect(await orphans()).toBe(0);
  });
});
