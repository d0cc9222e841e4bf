/** Edits a scraper's cron, time zone and enabled flag; the server's validation issues are shown by field. */
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql/gql';
import type { ScraperFieldsFragment } from '@/gql/graphql';

const UpdateScraperMutation = graphql(`
  mutation UpdateScraper($id: ID!, $input: UpdateScraperInput!) {
    updateScraper(id: $id, input: $input) {
      __typename
      ... on MutationUpdateScraperSuccess {
        data {
          ...ScraperFields
        }
      }
      ... on ValidationError {
        message
        issues {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export function ScraperEditor({ scraper, onDone }: { scraper: ScraperFieldsFragment; onDone: () => void }) {
  const [cron, setCron] = useState(scraper.cron ?? '');
  const [timezone, setTimezone] = useState(scraper.timezone);
  const [enabled, setEnabled] = useState(scraper.enabled);
  const [problems, setProblems] = useState<string[]>([]);
  const [state, update] = useMutation(UpdateScraperMutation);
  const prefix = `edit-${scraper.id}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await update({ id: scraper.id, input: { cron: cron.trim() || null, timezone: timezone.trim(), enabled } });
    const outcome = result.data?.updateScraper;
    if (result.error) return setProblems([result.error.message]);
    if (outcome?.__typename === 'ValidationError') return setProblems(outcome.issues.map((i) => `${i.path}: ${i.message}`));
    if (outcome && 'message' in outcome) return setProblems([outcome.message]);
    setProblems([]);
    onDone();
  }

  return (
    <form className="editor" onSubmit={submit} aria-label={`Schedule of ${scraper.name}`}>
      <label htmlFor={`${prefix}-cron`}>Cron (five fields, empty for none)</label>
      <input id={`${prefix}-cron`} value={cron} onChange={(e) => setCron(e.target.value)} placeholder="*/15 * * * *" spellCheck={false} />
      <label htmlFor={`${prefix}-tz`}>Time zone</label>
      <input id={`${prefix}-tz`} value={timezone} onChange={(e) => setTimezone(e.target.value)} placeholder="Europe/Berlin" spellCheck={false} />
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      {problems.length > 0 && (
        <ul className="field-error" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={state.fetching}>
          Save
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
