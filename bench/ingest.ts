/**
 * Ingest: log lines per second stored through appendLogs over HTTP by concurrent runners, beside
 * its ceiling, a raw single-stream COPY of the same rows into the same table with the pg driver.
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
  const client = reportConnectionErrors(new pg.Client({ connectionString: databaseUrl }), 'the COPY client');
  await client.connect();
  try {
    const sample = logLines(batchLines);
    const started = performance.now();
    const stream = client.query(copyFrom(`COPY log_line (run_id, seq, level, message, "timestamp") FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    for (let seq = 1; seq <= lineCount; seq += batchLines) {
      let chunk = '';
      for (let i = 0; i < batchLines && seq + i <= lineCount; i++) {
        const line = sample[i]!;
        chunk += `${runId}\t${seq + i}\t${line.level}\t${copyText(line.message)}\t${line.timestamp}\n`;
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
