/**
 * Replay: a new jobLogs subscriber receiving every stored line of one run, beside its ceiling, the
 * same lines read straight from PostgreSQL by the pg driver in one SELECT.
 */
import pg from 'pg';
import { wsClient, type Credentials } from './client.ts';
import { reportConnectionErrors } from './connectionErrors.ts';

export type ReplayFigures = { lines: number; seconds: number; linesPerSecond: number };

const REPLAY = `subscription Replay($jobId: ID!) { jobLogs(jobId: $jobId, afterSeq: 0) { lastSeq lines { seq level message timestamp } } }`;

export async function replayToSubscriber(wsUrl: string, viewer: Credentials, runId: number, lines: number): Promise<ReplayFigures> {
  const client = wsClient(wsUrl, viewer);
  const started = performance.now();
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      client.subscribe<any>(
        { query: REPLAY, variables: { jobId: String(runId) } },
        {
          next: (result) => {
            if (result.errors) return reject(new Error(JSON.stringify(result.errors)));
            received += result.data.jobLogs.lines.length;
            if (result.data.jobLogs.lastSeq >= lines) resolve();
          },
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => reject(new Error('replay completed early')),
        },
      );
    });
  } finally {
    await client.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  if (received !== lines) throw new Error(`replay delivered ${received} lines, expected ${lines}`);
  return { lines, seconds, linesPerSecond: Math.round(lines / seconds) };
}

export async function replayWithSelect(databaseUrl: string, runId: number, lines: number): Promise<ReplayFigures> {
  const client = reportConnectionErrors(new pg.Client({ connectionString: databaseUrl }), 'the SELECT client');
  await client.connect();
  try {
    const started = performance.now();
    const { rowCount } = await client.query(
      `SELECT run_id, seq, level, message, "timestamp", received_at FROM log_line WHERE run_id = $1 ORDER BY seq`,
      [runId],
    );
    const seconds = (performance.now() - started) / 1000;
    if (rowCount !== lines) throw new Error(`SELECT read ${rowCount} lines, expected ${lines}`);
    return { lines, seconds, linesPerSecond: Math.round(lines / seconds) };
  } finally {
    await client.end();
  }
}
