/**
 * What a bulk action did to each item it was asked about: a summary and, per item, "done" or the
 * reason it was not. Sits in a live region that is always in the page, so each new answer is read out.
 */
import type { ReactNode } from 'react';

type BulkItemOutcome = { id: string; label: ReactNode; done: boolean; reason?: ReactNode };
export type BulkOutcome = { summary: string; items: BulkItemOutcome[] };

export function BulkResults({ outcome, testId }: { outcome: BulkOutcome | null; testId?: string }) {
  return (
    <div role="status" aria-live="polite" aria-atomic="true" data-testid={testId}>
      {outcome && (
        <div className={`state bulk-results ${outcome.items.some((i) => !i.done) ? 'bulk-results--mixed' : 'bulk-results--done'}`}>
          <p className="bulk-results__summary">{outcome.summary}</p>
          <ul className="bulk-results__items">
            {outcome.items.map((item) => (
              <li key={item.id} data-item={item.id} data-done={item.done}>
                <span className="bulk-results__label">{item.label}</span>: {item.done ? 'done' : item.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** "Paused 2 of 3 scrapers; 1 failed." */
export function bulkSummary(verb: string, succeeded: number, failed: number, noun: string): string {
  const total = succeeded + failed;
  const base = `${verb} ${succeeded} of ${total} ${total === 1 ? noun : `${noun}s`}`;
  return failed ? `${base}; ${failed} could not be.` : `${base}.`;
}
