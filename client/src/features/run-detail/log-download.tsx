/**
 * Downloads a run's log from the server's export (every stored line, however many the viewer has
 * loaded), or only the lines the viewer's filters select; the button says which.
 */
import { useState } from 'react';
import { useClient } from 'urql';
import { ActionProblem } from '@/components/async-state';
import { startDownload } from '@/components/export-buttons';
import { graphql } from '@/gql/gql';
import type { LogLevel } from '@/gql/graphql';
import { formatNumber } from '@/lib/format';

const RunLogsExportQuery = graphql(`
  query RunLogsExport($jobId: ID!, $format: ExportFormat!, $minLevel: LogLevel, $contains: String) {
    runLogsExport(jobId: $jobId, format: $format, minLevel: $minLevel, contains: $contains) {
      url
    }
  }
`);

type Props = { runId: string; totalLines: number; minLevel: LogLevel; contains: string };

export function LogDownload({ runId, totalLines, minLevel, contains }: Props) {
  const client = useClient();
  const filtering = minLevel !== 'DEBUG' || contains.trim() !== '';
  const [filteredOnly, setFilteredOnly] = useState(false);
  const [format, setFormat] = useState<'TXT' | 'NDJSON'>('TXT');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const onlyFiltered = filtering && filteredOnly;
  const label = onlyFiltered ? 'Download filtered lines' : `Download all ${formatNumber(totalLines)} lines`;

  async function download() {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    setDone(null);
    const filters = onlyFiltered ? { minLevel, contains: contains.trim() || null } : {};
    // A link is good once: always a fresh one.
    const result = await client.query(RunLogsExportQuery, { jobId: runId, format, ...filters }, { requestPolicy: 'network-only' }).toPromise();
    setBusy(false);
    if (!result.data) return setProblem(`Could not export the log: ${result.error?.message.replace(/^\[(GraphQL|Network)\] /, '') ?? 'no link'}`);
    startDownload(result.data.runLogsExport.url);
    setDone(`${label}: download started.`);
  }

  return (
    <div className="log-download" role="group" aria-label="Download the log">
      <label className="checkbox">
        <input type="checkbox" checked={onlyFiltered} disabled={!filtering} onChange={(e) => setFilteredOnly(e.target.checked)} data-testid="filtered-only" /> Only the filtered lines
      </label>
      <label>
        Format
        <select value={format} onChange={(e) => setFormat(e.target.value as 'TXT' | 'NDJSON')} data-testid="log-format">
          <option value="TXT">Text (tab-separated)</option>
          <option value="NDJSON">NDJSON</option>
        </select>
      </label>
      <button type="button" className="button" aria-disabled={busy || undefined} onClick={download} data-testid="download-log">
        {busy ? 'Preparing…' : label}
      </button>
      <p className="visually-hidden" role="status">
        {done}
      </p>
      <ActionProblem problem={problem} />
    </div>
  );
}
