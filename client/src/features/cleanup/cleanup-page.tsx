/** The cleanup queue: flagged products, pending first; admins approve or dismiss one or many at once. */
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ActionProblem, Empty, ErrorMessage, Loading } from '@/components/async-state';
import { Badge } from '@/components/badge';
import { StackTable, type Column } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { FlagKind, FlagStatus } from '@/gql/graphql';
import { formatDateTime } from '@/lib/format';
import { useCanMutate } from '@/lib/session';

const FlagsQuery = graphql(`
  query Flags($status: FlagStatus, $kind: FlagKind, $first: Int, $after: String) {
    flags(status: $status, kind: $kind, first: $first, after: $after) {
      edges {
        node {
          id
          kind
          status
          detail
          createdAt
          product {
            id
            name
            sku
            price
            source {
              name
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const ResolveFlagsMutation = graphql(`
  mutation ResolveFlags($ids: [ID!]!, $status: FlagStatus!) {
    resolveFlags(ids: $ids, status: $status) {
      __typename
      ... on MutationResolveFlagsSuccess {
        data {
          updated
          flags {
            id
            status
            resolvedAt
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const KIND_LABEL: Record<FlagKind, string> = { PRICE_OUTLIER: 'Price outlier', DUPLICATE: 'Duplicate', MISSING_FIELD: 'Missing field' };
const STATUS_TONE = { PENDING: 'warn', APPROVED: 'good', DISMISSED: 'neutral' } as const;
const PAGE = 50;
const FLAG_COLUMNS: Column[] = ['Kind', 'Product', 'Detail', 'Status', 'Raised'];

export function CleanupPage() {
  const canMutate = useCanMutate();
  const [status, setStatus] = useState<FlagStatus | ''>('PENDING');
  const [kind, setKind] = useState<FlagKind | ''>('');
  const [after, setAfter] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState<string | null>(null);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: FlagsQuery,
    variables: { status: status || null, kind: kind || null, first: PAGE, after: after.at(-1) ?? null },
  });
  const refetch = () => reexecute({ requestPolicy: 'network-only' });
  const [resolving, resolve] = useMutation(ResolveFlagsMutation);
  const flags = data?.flags.edges.map((e) => e.node) ?? [];

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allSelected = flags.length > 0 && flags.every((f) => selected.has(f.id));
  const selectAll: Column = {
    key: 'select',
    label: (
      <input
        type="checkbox"
        aria-label="Select all flags on this page"
        checked={allSelected}
        onChange={() => setSelected(allSelected ? new Set() : new Set(flags.map((f) => f.id)))}
      />
    ),
  };
  const columns: Column[] = canMutate ? [selectAll, ...FLAG_COLUMNS, 'Actions'] : FLAG_COLUMNS;

  async function apply(ids: string[], to: 'APPROVED' | 'DISMISSED') {
    setProblem(null);
    const result = await resolve({ ids, status: to });
    const outcome = result.data?.resolveFlags;
    if (result.error) return setProblem(result.error.message);
    if (outcome && 'message' in outcome) return setProblem(outcome.message);
    setSelected(new Set());
    refetch();
  }

  const filterChanged = () => {
    setAfter([]);
    setSelected(new Set());
  };

  return (
    <>
      <h1>Cleanup queue</h1>
      <form className="filters" aria-label="Filter flags" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => (setStatus(e.target.value as FlagStatus | ''), filterChanged())}>
            <option value="">Any status</option>
            <option value="PENDING">Pending</option>
            <option value="APPROVED">Approved</option>
            <option value="DISMISSED">Dismissed</option>
          </select>
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => (setKind(e.target.value as FlagKind | ''), filterChanged())}>
            <option value="">Any kind</option>
            {Object.entries(KIND_LABEL).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      {canMutate && (
        <div className="actions bulk-actions" aria-label="Selected flags">
          <span className="muted">{selected.size} selected</span>
          <button type="button" className="button button--primary" disabled={!selected.size || resolving.fetching} onClick={() => apply([...selected], 'APPROVED')}>
            Approve selected
          </button>
          <button type="button" className="button" disabled={!selected.size || resolving.fetching} onClick={() => apply([...selected], 'DISMISSED')}>
            Dismiss selected
          </button>
        </div>
      )}
      <ActionProblem problem={problem} />
      {error ? (
        <ErrorMessage error={error} retry={refetch} />
      ) : !data ? (
        fetching && <Loading />
      ) : flags.length === 0 ? (
        <Empty>Nothing to clean up here.</Empty>
      ) : (
        <StackTable columns={columns}>
          {flags.map((f) => (
            <tr key={f.id}>
              {canMutate && (
                <td data-label="Select">
                  <input type="checkbox" aria-label={`Select flag on ${f.product.name}`} checked={selected.has(f.id)} onChange={() => toggle(f.id)} />
                </td>
              )}
              <td data-label="Kind">{KIND_LABEL[f.kind]}</td>
              <td data-label="Product">
                <span>
                  {f.product.name}
                  <span className="muted cell-line">
                    {f.product.source.name} · {f.product.sku}
                  </span>
                </span>
              </td>
              <td data-label="Detail">{f.detail}</td>
              <td data-label="Status">
                <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>
              </td>
              <td data-label="Raised">{formatDateTime(f.createdAt)}</td>
              {canMutate && (
                <td data-label="Actions">
                  <div className="row-actions">
                    {f.status !== 'APPROVED' && (
                      <button type="button" className="button button--small" disabled={resolving.fetching} onClick={() => apply([f.id], 'APPROVED')}>
                        Approve
                      </button>
                    )}
                    {f.status !== 'DISMISSED' && (
                      <button type="button" className="button button--small" disabled={resolving.fetching} onClick={() => apply([f.id], 'DISMISSED')}>
                        Dismiss
                      </button>
                    )}
                  </div>
                </td>
              )}
            </tr>
          ))}
        </StackTable>
      )}
      <nav className="pager" aria-label="Pages of flags">
        <button type="button" className="button" disabled={after.length === 0} onClick={() => setAfter((a) => a.slice(0, -1))}>
          ← Previous
        </button>
        <span className="muted">Page {after.length + 1}</span>
        <button
          type="button"
          className="button"
          disabled={!data?.flags.pageInfo.hasNextPage}
          onClick={() => data?.flags.pageInfo.endCursor && setAfter((a) => [...a, data.flags.pageInfo.endCursor!])}
        >
          Next →
        </button>
      </nav>
    </>
  );
}
