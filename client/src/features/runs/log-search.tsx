/**
 * Searches the log lines of every run (searchLogs), newest first, with the Runs page's scraper
 * filter and its own minimum level and time range; the search is in the address, so it can be
 * linked. Each result links to its line in the run (`/runs/:id#L<seq>`); messages are rendered as
 * text with the server's match ranges marked. A search is a snapshot: "Load more" pages on with the
 * cursor, and searching again reads the newest lines.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useClient } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { graphql } from '@/gql/gql';
import type { LogLevel, LogSearchResultFragment } from '@/gql/graphql';
import { DateTime } from '@/components/date-time';
import { formatNumber } from '@/lib/format';
import { splitAtMatches } from '@/lib/match-ranges';

const SearchLogsQuery = graphql(`
  query SearchLogs($query: String!, $filter: LogSearchFilter, $first: Int, $after: String) {
    searchLogs(query: $query, filter: $filter, first: $first, after: $after) {
      __typename
      ... on QuerySearchLogsSuccess {
        data {
          edges {
            node {
              ...LogSearchResult
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
      ... on ValidationError {
        message
        issues {
          path
          message
        }
      }
      ... on LogSearchTimeoutError {
        message
        seconds
      }
      ... on Error {
        message
      }
    }
  }
`);

graphql(`
  fragment LogSearchResult on LogMatch {
    id
    seq
    level
    message
    timestamp
    matches {
      start
      length
    }
    run {
      id
      status
    }
    scraper {
      id
      name
      slug
    }
  }
`);

const PAGE = 25;
const LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

type Search = { query: string; minLevel: LogLevel | null; since: string | null; until: string | null; scraperId: string | null };
type Problem = { kind: 'validation' | 'timeout' | 'other'; message: string };

/** `datetime-local` values are the browser's local time; the API takes an instant. */
const toInstant = (local: string | null) => (local ? new Date(local).toISOString() : null);

export function LogSearch({ scraperId }: { scraperId: string | null }) {
  const [params, setParams] = useSearchParams();
  const client = useClient();
  const search: Search = {
    query: params.get('q') ?? '',
    minLevel: (params.get('level') as LogLevel | null) || null,
    since: params.get('since') || null,
    until: params.get('until') || null,
    scraperId,
  };
  const key = JSON.stringify(search);
  const [draft, setDraft] = useState(search);
  const [results, setResults] = useState<LogSearchResultFragment[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [loading, setLoading] = useState(false);
  const [searched, setSearched] = useState(false);

  const run = async (wanted: Search, after: string | null) => {
    setLoading(true);
    setProblem(null);
    const filter = { scraperId: wanted.scraperId, minLevel: wanted.minLevel, since: toInstant(wanted.since), until: toInstant(wanted.until) };
    const result = await client.query(SearchLogsQuery, { query: wanted.query, filter, first: PAGE, after }, { requestPolicy: 'network-only' }).toPromise();
    setLoading(false);
    setSearched(true);
    const outcome = result.data?.searchLogs;
    if (outcome?.__typename === 'QuerySearchLogsSuccess') {
      const found = outcome.data.edges.map((e) => e.node);
      setResults((current) => (after ? [...current, ...found] : found));
      setNext(outcome.data.pageInfo.hasNextPage ? (outcome.data.pageInfo.endCursor ?? null) : null);
      return;
    }
    if (!after) setResults([]);
    setNext(null);
    if (outcome?.__typename === 'ValidationError') {
      setProblem({ kind: 'validation', message: [outcome.message, ...outcome.issues.map((i) => i.message)].filter((m, i, all) => all.indexOf(m) === i).join(' ') });
    } else if (outcome?.__typename === 'LogSearchTimeoutError') {
      setProblem({
        kind: 'timeout',
        message: `The search was stopped after ${outcome.seconds} s. Narrow it: pick a scraper, a minimum level or a shorter time range, or use a rarer term.`,
      });
    } else {
      setProblem({ kind: 'other', message: result.error?.message.replace(/^\[(GraphQL|Network)\] /, '') ?? (outcome && 'message' in outcome ? outcome.message : 'no answer') });
    }
  };

  // The address holds the search: it runs whenever that (or the page's scraper filter) changes.
  useEffect(() => {
    const wanted = JSON.parse(key) as Search;
    setDraft(wanted);
    if (!wanted.query) {
      setResults([]);
      setSearched(false);
      setProblem(null);
      return;
    }
    void run(wanted, null);
    // run reads only its arguments and stable setters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const nextParams = new URLSearchParams(params);
    const set = (name: string, value: string | null) => (value ? nextParams.set(name, value) : nextParams.delete(name));
    set('q', draft.query.trim());
    set('level', draft.minLevel);
    set('since', draft.since);
    set('until', draft.until);
    if (nextParams.toString() === params.toString() && draft.query.trim()) void run({ ...draft, query: draft.query.trim(), scraperId }, null);
    else setParams(nextParams);
  };

  return (
    <section aria-labelledby="log-search-title" className="log-search">
      <h2 id="log-search-title">Search logs</h2>
      <form className="filters log-search__form" role="search" aria-label="Search the logs of every run" onSubmit={submit}>
        <label className="log-search__query">
          Text in log lines
          <input type="search" value={draft.query} onChange={(e) => setDraft({ ...draft, query: e.target.value })} placeholder="403 Forbidden" data-testid="log-search-query" />
        </label>
        <label>
          Minimum level
          <select value={draft.minLevel ?? ''} onChange={(e) => setDraft({ ...draft, minLevel: (e.target.value as LogLevel) || null })}>
            <option value="">ERROR and above (default)</option>
            {LEVELS.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Since
          <input type="datetime-local" value={draft.since ?? ''} onChange={(e) => setDraft({ ...draft, since: e.target.value || null })} />
        </label>
        <label>
          Until
          <input type="datetime-local" value={draft.until ?? ''} onChange={(e) => setDraft({ ...draft, until: e.target.value || null })} />
        </label>
        <button type="submit" className="button button--primary log-search__submit">
          Search logs
        </button>
      </form>
      <p className="muted log-search__hint">Finds lines of every run, newest first, in the scraper chosen above (or all); case is ignored. By default it searches lines at ERROR and above; a lower level needs a scraper or a window of at most a day.</p>
      {problem &&
        (problem.kind === 'other' ? (
          <ErrorMessage error={problem.message} retry={() => run(search, null)} />
        ) : (
          <p className={problem.kind === 'timeout' ? 'state state--error' : 'field-error'} role="alert" data-testid="log-search-problem">
            {problem.message}
          </p>
        ))}
      {loading && results.length === 0 && <Loading label="Searching…" />}
      {searched && !problem && !loading && results.length === 0 && <Empty>No log line matches “{search.query}”.</Empty>}
      {results.length > 0 && (
        <>
          <p className="muted list-count" role="status" data-testid="log-search-count">
            {formatNumber(results.length)} {results.length === 1 ? 'line' : 'lines'}
            {next ? ' so far' : ''}
          </p>
          <ol className="log-results" aria-label="Matching log lines" data-testid="log-search-results">
            {results.map((r) => (
              <li key={r.id} className="log-result" data-run-id={r.run.id} data-seq={r.seq}>
                <div className="log-result__meta">
                  <Link to={`/runs/${r.run.id}#L${r.seq}`} className="log-result__link">
                    Run #{r.run.id}, line {r.seq}
                  </Link>
                  <Link to={`/scrapers/${r.scraper.slug}`}>{r.scraper.name}</Link>
                  <span className={`log-level log-level--${r.level.toLowerCase()}`}>{r.level}</span>
                  <time dateTime={r.timestamp} className="muted">
                    <DateTime value={r.timestamp} />
                  </time>
                </div>
                <p className="log-result__message">
                  {splitAtMatches(r.message, r.matches).map((piece, i) => (piece.match ? <mark key={i}>{piece.text}</mark> : <span key={i}>{piece.text}</span>))}
                </p>
              </li>
            ))}
          </ol>
          {next && (
            <button type="button" className="button" disabled={loading} onClick={() => run(search, next)}>
              {loading ? 'Loading…' : 'Load more'}
            </button>
          )}
        </>
      )}
    </section>
  );
}
