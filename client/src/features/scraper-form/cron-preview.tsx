/**
 * The schedule as the server reads it, while it is typed: the next fire times in the chosen zone, or
 * what is wrong with the cron expression or the zone, each for its field. Nothing is saved.
 */
import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '@/gql/gql';
import { formatFireTime } from '@/lib/format';

const CronPreviewQuery = graphql(`
  query CronPreview($cron: String!, $timezone: String!) {
    cronPreview(cron: $cron, timezone: $timezone) {
      __typename
      ... on CronPreview {
        nextFireTimes
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

/** Long enough that a preview is not asked for at every keystroke, short enough to feel live. */
const DEBOUNCE_MS = 300;

export type CronPreviewState = {
  /** The values the answer is for: the ones typed once typing pauses. */
  settled: boolean;
  times: string[] | null;
  timezone: string;
  problems: { cron?: string[]; timezone?: string[] };
};

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** Asks cronPreview for what is typed, once typing pauses; an empty cron (no schedule) asks nothing. */
export function useCronPreview(cron: string, timezone: string): CronPreviewState {
  const typed = { cron: cron.trim(), timezone: timezone.trim() };
  const asked = useDebounced(typed.cron + '\n' + typed.timezone, DEBOUNCE_MS);
  const [askedCron = '', askedZone = ''] = asked.split('\n');
  const [{ data, operation }] = useQuery({ query: CronPreviewQuery, variables: { cron: askedCron, timezone: askedZone }, pause: askedCron === '' });
  const answer = data?.cronPreview;
  const current = askedCron !== '' && askedCron === typed.cron && askedZone === typed.timezone && operation?.variables.cron === askedCron && operation.variables.timezone === askedZone;
  if (!current || !answer) return { settled: false, times: null, timezone: askedZone, problems: {} };
  if (answer.__typename === 'CronPreview') return { settled: true, times: answer.nextFireTimes, timezone: askedZone, problems: {} };
  const problems: CronPreviewState['problems'] = {};
  for (const issue of answer.issues) if (issue.path === 'cron' || issue.path === 'timezone') (problems[issue.path] ??= []).push(issue.message);
  return { settled: true, times: null, timezone: askedZone, problems };
}

/** The next fire times, the zone they are read in stated; announced politely as they change. */
export function CronPreview({ id, preview }: { id: string; preview: CronPreviewState }) {
  return (
    <div id={id} className="muted hint cron-preview" aria-live="polite" data-testid="cron-preview">
      {preview.times && (
        <>
          <span>Next runs ({preview.timezone}):</span>
          <ol className="cron-preview__times">
            {preview.times.map((time) => (
              <li key={time}>
                <time dateTime={time}>{formatFireTime(time, preview.timezone)}</time>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
