/**
 * Ingest: log lines per second stored through appendLogs over HTTP by concurrent runners, beside
 * two ceilings: a raw single-stream COPY of the same rows into log_line with the pg driver, and the
 * same COPY into a bare table of four columns without any index, key or trigger, which is what a
 * database can take at all and does not flatter the API by log_line's own costs.
 */
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { appender, logLines } from './client.ts';
import { reportConnectionErrors } from './connectionErrors.ts';
import type { RunnerWithRun } from './fixtures.ts';

export type IngestFigures = { linesPerSecond: number; lines: number; seconds: number; batches: number };

export async function ingestThroughApi(
  httpUrl: string,
  runners: RunnerWithRun[],
  options: { batchLines: number; seconds: number },
): Promise<IngestFigures> {
  const linesJson = JSON.stringify(logLines(options.batchLines));
  let lines = 0;
  let batches = 0;
  const started = performance.now();
  const until = started + options.seconds * 1000;
  await Promise.all(
    runners.map(async (runner, r) => {
      const append = appender(httpUrl, { apiKey: runner.apiKey }, runner.jobId);
      for (let n = 0; performance.now() < until; n++) {
        const stored = await append(`ingest-${r}-${n}`, linesJson);
        lines += stored.toSeq - stored.fromSeq + 1;
        batches++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { linesPerSecond: Math.round(lines / seconds), lines, seconds, batches };
}

/** COPY text format: tab-separated, with backslash, tab and newline escaped. */
const copyText = (value: string) => value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

export async function ingestWithCopy(databaseUrl: string, runId: number, lineCount: number, batchLines: number): Promise<IngestFigures> {
  return copyLines(databaseUrl, `COPY log_line (run_id, seq, level, message, "timestamp") FROM STDIN`, runId, lineCount, batchLines, true);
}

const BARE_TABLE = 'bench_bare_log';

/** The same rows, by the same single COPY, into a plain table of run id, seq, level and message. */
export async function ingestWithBareCopy(databaseUrl: string, runId: number, lineCount: number, batchLines: number): Promise<IngestFigures> {
  const client = reportConnectionErrors(new pg.Client({ connectionString: databaseUrl }), 'the bare table client');
  await client.connect();
  try {
    // A fresh table each time: rows of an earlier measurement would only make this one slower.
    await client.query(`DROP TABLE IF EXISTS ${BARE_TABLE}`);
    await client.query(`CREATE TABLE ${BARE_TABLE} (run_id int, seq int, level text, message text)`);
  } finally {
    await client.end();
  }
  return copyLines(databaseUrl, `COPY ${BARE_TABLE} (run_id, seq, level, message) FROM STDIN`, runId, lineCount, batchLines, false);
}

async function copyLines(databaseUrl: string, copy: string, runId: number, lineCount: number, batchLines: number, withTimestamp: boolean): Promise<IngestFigures> {
  const client = reportConnectionErrors(new pg.Client({ connectionString: databaseUrl }), 'the COPY client');
  await client.connect();
  try {
    const sample = logLines(batchLines);
    const started = performance.now();
    const stream = client.query(copyFrom(copy));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    for (let seq = 1; seq <= lineCount; seq += batchLines) {
      let chunk = '';
      for (let i = 0; i < batchLines && seq + i <= lineCount; i++) {
        const line = sample[i]!;
        chunk += `${runId}\t${seq + i}\t${line.level}\t${copyText(line.message)}${withTimestamp ? `\t${line.timestamp}` : ''}\n`;
      }
      if (!stream.write(chunk)) await once(stream, 'drain');
    }
    stream.end();
    await done;
    const seconds = (performance.now() - started) / 1000;
    return { linesPerSecond: Math.round(lineCount / seconds), lines: lineCount, seconds, batches: 1 };
  } finally {
    await client.end();
  }
}

/**
 * The indexes of log_line at the time of measuring: ingest is measured with those a production
 * database has (the migrations'), the log search index among them; a phase that dropped one for
 * a bulk load and never rebuilt it would flatter the figure.
 */
export async function logLineIndexes(pool: pg.Pool, required: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'log_line' ORDER BY indexname`);
  const names = rows.map((r) => r.indexname);
  const missing = required.filter((name) => !names.includes(name));
  if (missing.length) throw new Error(`ingest would be measured without ${missing.join(', ')}`);
  return names;
}
