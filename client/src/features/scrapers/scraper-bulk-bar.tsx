/**
 * Acts on the selected scrapers at once: Pause, Resume, Run now. The server answers each scraper on
 * its own; the answers are listed, and the scrapers that failed stay selected for another try.
 */
import { useState } from 'react';
import { useMutation } from 'urql';
import { ActionProblem } from '@/components/async-state';
import { BulkResults, bulkSummary, type BulkOutcome } from '@/components/bulk-results';
import { graphql } from '@/gql/gql';

// What a bulk answer says of one item's failure (codegen reads it from here).
graphql(`
  fragment BulkItemError on Error {
    __typename
    message
  }
`);

const PauseScrapersMutation = graphql(`
  mutation PauseScrapers($ids: [ID!]!) {
    pauseScrapers(ids: $ids) {
      __typename
      ... on MutationPauseScrapersSuccess {
        data {
          succeeded
          failed
          items {
            id
            scraper {
              ...ScraperFields
            }
            error {
              ...BulkItemError
            }
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const ResumeScrapersMutation = graphql(`
  mutation ResumeScrapers($ids: [ID!]!) {
    resumeScrapers(ids: $ids) {
      __typename
      ... on MutationResumeScrapersSuccess {
        data {
          succeeded
          failed
          items {
            id
            scraper {
              ...ScraperFields
            }
            error {
              ...BulkItemError
            }
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const TriggerRunsMutation = graphql(`
  mutation TriggerRuns($ids: [ID!]!) {
    triggerRuns(scraperIds: $ids) {
      __typename
      ... on MutationTriggerRunsSuccess {
        data {
          succeeded
          failed
          items {
            id
            run {
              ...RunRow
            }
            error {
              ...BulkItemError
            }
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

type Action = 'pause' | 'resume' | 'trigger';
const VERB: Record<Action, string> = { pause: 'Paused', resume: 'Resumed', trigger: 'Started a run of' };

type Props = {
  scrapers: ReadonlyArray<{ id: string; name: string }>;
  selected: ReadonlySet<string>;
  onSelect: (ids: Set<string>) => void;
};

export function ScraperBulkBar({ scrapers, selected, onSelect }: Props) {
  const [busy, setBusy] = useState<Action | null>(null);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [, pause] = useMutation(PauseScrapersMutation);
  const [, resume] = useMutation(ResumeScrapersMutation);
  const [, trigger] = useMutation(TriggerRunsMutation);
  const allSelected = scrapers.length > 0 && scrapers.every((s) => selected.has(s.id));
  const nameOf = (id: string) => scrapers.find((s) => s.id === id)?.name ?? `Scraper #${id}`;

  async function act(action: Action) {
    // aria-disabled rather than disabled: the pressed button keeps the focus while the answer comes.
    if (busy || selected.size === 0) return;
    const ids = [...selected];
    setBusy(action);
    setProblem(null);
    const result = action === 'pause' ? await pause({ ids }) : action === 'resume' ? await resume({ ids }) : await trigger({ ids });
    setBusy(null);
    const data = result.data && Object.values(result.data)[0];
    if (!data || !('data' in data)) {
      setOutcome(null);
      return setProblem(result.error?.message.replace(/^\[(GraphQL|Network)\] /, '') ?? (data && 'message' in data ? data.message : 'No answer.'));
    }
    const { succeeded, failed } = data.data;
    const items: ReadonlyArray<{ id: string; error: { message: string } | null }> = data.data.items;
    setOutcome({
      summary: bulkSummary(VERB[action], succeeded, failed, 'scraper'),
      items: items.map((item) => ({ id: item.id, label: nameOf(item.id), done: !item.error, reason: item.error?.message })),
    });
    onSelect(new Set(items.filter((item) => item.error).map((item) => item.id)));
  }

  return (
    <>
      <div className="bulk-bar" role="group" aria-label="Selected scrapers">
        <label className="checkbox">
          <input type="checkbox" checked={allSelected} onChange={() => onSelect(allSelected ? new Set() : new Set(scrapers.map((s) => s.id)))} /> Select all
        </label>
        <span className="bulk-bar__count" data-testid="selected-count">
          {selected.size} selected
        </span>
        <button type="button" className="button" aria-disabled={busy !== null || selected.size === 0 || undefined} onClick={() => act('pause')}>
          {busy === 'pause' ? 'Pausing…' : 'Pause selected'}
        </button>
        <button type="button" className="button" aria-disabled={busy !== null || selected.size === 0 || undefined} onClick={() => act('resume')}>
          {busy === 'resume' ? 'Resuming…' : 'Resume selected'}
        </button>
        <button type="button" className="button button--primary" aria-disabled={busy !== null || selected.size === 0 || undefined} onClick={() => act('trigger')}>
          {busy === 'trigger' ? 'Starting…' : 'Run selected now'}
        </button>
      </div>
      <ActionProblem problem={problem} />
      <BulkResults outcome={outcome} testId="bulk-results" />
    </>
  );
}
