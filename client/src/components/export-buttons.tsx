/**
 * Buttons that download an export: each asks the server for a fresh single-use link (a link is
 * good once, within a minute, so none is cached) and hands it to the browser as a download, so the
 * page stays where it is. What happened is said in a live region.
 */
import { useState } from 'react';
import { ActionProblem } from './async-state';

/**
 * Starts a download of an export link without leaving the page. The admin talks to the API at its own
 * origin (as it does for /graphql), so the link's path and ticket are followed there: the server's
 * PUBLIC_URL, which the absolute link is built on, may name a host this browser does not reach.
 */
export function startDownload(url: string): void {
  const { pathname, search } = new URL(url, location.href);
  const link = document.createElement('a');
  link.href = `${pathname}${search}`;
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

type Props<F extends string> = {
  /** The formats offered, each with its button's text. */
  formats: ReadonlyArray<{ format: F; label: string }>;
  /** Asks the server for a link to the export; rejects with the reason when it refuses. */
  getLink: (format: F) => Promise<string>;
  /** What is exported, for the group's accessible name: "runs", "products". */
  what: string;
};

export function ExportButtons<F extends string>({ formats, getLink, what }: Props<F>) {
  const [busy, setBusy] = useState<F | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function download(format: F, label: string) {
    // aria-disabled rather than disabled, so that the pressed button keeps the focus.
    if (busy) return;
    setBusy(format);
    setProblem(null);
    setDone(null);
    try {
      startDownload(await getLink(format));
      setDone(`${label}: download started.`);
    } catch (error) {
      setProblem(`Could not export: ${(error as Error).message.replace(/^\[(GraphQL|Network)\] /, '')}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="export-buttons">
      <div className="export-buttons__row" role="group" aria-label={`Export ${what}`}>
        {formats.map(({ format, label }) => (
          <button key={format} type="button" className="button" aria-disabled={busy !== null || undefined} onClick={() => download(format, label)}>
            {busy === format ? 'Preparing…' : label}
          </button>
        ))}
      </div>
      <p className="visually-hidden" role="status">
        {done}
      </p>
      <ActionProblem problem={problem} />
    </div>
  );
}
