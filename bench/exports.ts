/**
 * Export: a run's stored lines streamed as NDJSON over GET /export/runs/:id/logs.ndjson, read as
 * fast as the client can, with the server's RSS sampled throughout: an export streams from a
 * cursor, so its memory should stay flat however many rows go out.
 */
import type { Credentials } from './client.ts';
import type { ServerProcess } from './serverProcess.ts';

export type ExportFigures = {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  megabytesPerSecond: number;
  /** Server RSS just before the export, and the highest sample while it streamed. */
  rssBefore: number;
  rssPeak: number;
  rssGrowth: number;
};

const RSS_SAMPLE_MS = 50;

export async function exportRunLogs(server: ServerProcess, viewer: Credentials, runId: number, lines: number): Promise<ExportFigures> {
  const rssBefore = await server.rss();
  let rssPeak = rssBefore;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      rssPeak = Math.max(rssPeak, await server.rss());
      await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_MS));
    }
  })();
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  try {
    const response = await fetch(`${new URL(server.httpUrl).origin}/export/runs/${runId}/logs.ndjson`, {
      headers: viewer.token ? { authorization: `Bearer ${viewer.token}` } : {},
    });
    if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      // Counting newlines is all the client does: the figure is the server's, not a parser's.
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    }
  } finally {
    sampling = false;
    await sampler;
  }
  const seconds = (performance.now() - started) / 1000;
  if (rows !== lines) throw new Error(`the export held ${rows} rows, expected ${lines}`);
  return {
    rows,
    bytes,
    seconds,
    rowsPerSecond: Math.round(rows / seconds),
    megabytesPerSecond: Math.round((bytes / 2 ** 20 / seconds) * 10) / 10,
    rssBefore,
    rssPeak,
    rssGrowth: rssPeak - rssBefore,
  };
}
