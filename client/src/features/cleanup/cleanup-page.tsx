/** The cleanup queue: runs held by a quality gate, and flagged products, pending first; admins approve or dismiss one or many at once. */
import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ActionProblem, Empty, ErrorMessage, Loading } from '@/components/async-state';
import { Badge } from '@/components/badge';
import { Pager } from '@/components/pager';
import { StackTable, type Column } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { FlagKind, FlagStatus } from '@/gql/graphql';
import { DateTime } from '@/components/date-time';
import { formatRange } from '@/lib/format';
import { useCanMutate } from '@/lib/session';
import { HeldRuns } from './held-runs';
import { useUndoWindow } from './use-undo-window';
import { useRefetchOnFlagsChange } from '@/hooks/use-refetch-on-flags-change';
import { usePageTitle } from '@/hooks/use-page-title';

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
      totalCount
      totalCountExact
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
  usePageTitle('Cleanup queue');
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
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnFlagsChange(refetch, !data);
  const [resolving, resolve] = useMutation(ResolveFlagsMutation);
  const { offerUndo, notice } = useUndoWindow('flags-undo');
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

  async function send(ids: string[], to: FlagStatus): Promise<boolean> {
    setProblem(null);
    const result = await resolve({ ids, status: to });
    const outcome = result.data?.resolveFlags;
    if (result.error) return (setProblem(result.error.message), false);
    if (outcome && 'message' in outcome) return (setProblem(outcome.message), false);
    refetch();
    return true;
  }

  // resolveFlags can set a flag back, so the action is sent at once and Undo restores each flag's status before it.
  async function apply(ids: string[], to: 'APPROVED' | 'DISMISSED') {
    const before = new Map<FlagStatus, string[]>();
    for (const f of flags) if (ids.includes(f.id) && f.status !== to) before.set(f.status, [...(before.get(f.status) ?? []), f.id]);
    if (!(await send(ids, to))) return;
    setSelected(new Set());
    const n = ids.length;
    offerUndo({
      message: `${to === 'APPROVED' ? 'Approved' : 'Dismissed'} ${n} ${n === 1 ? 'flag' : 'flags'}.`,
      undo: () => {
        for (const [status, back] of before) void send(back, status);
      },
    });
  }

  const filterChanged = () => {
    setAfter([]);
    setSelected(new Set());
  };

  return (
    <>
      <h1>Cleanup queue</h1>
      <HeldRuns />
      <h2>Flagged products</h2>
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
      {notice}
      <ActionProblem problem={problem} />
      {error ? (
        <ErrorMessage error={error} retry={refetch} />
      ) : !data ? (
        fetching && <Loading />
      ) : flags.length === 0 ? (
        <Empty>Nothing to clean up here.</Empty>
      ) : (
        <>
          <p className="muted list-count" data-testid="flags-count">
            {formatRange(after.length * PAGE, flags.length, data.flags.totalCount, data.flags.totalCountExact, 'flag')}
          </p>
          <StackTable columns={columns}>
            {flags.map((f) => (
              <tr key={f.id}>
                {canMutate && (
                  <td data-label="Select">
                    <input type="checkbox" aria-label={`Select flag on ${f.product.name}`} checked={selected.has(f.id)} onChange={() => toggle(f.id)} />
                  </td>
                )}
                <td data-label="Kind">{KIND_LABEL[f.kind]}</td>
                <td data-label="Product" className="text-cell">
                  <span>
                    {f.product.name}
                    <span className="muted cell-line">
                      {f.product.source.name} · {f.product.sku}
                    </span>
                  </span>
                </td>
                <td data-label="Detail" className="text-cell">{f.detail}</td>
                <td data-label="Status">
                  <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>
                </td>
                <td data-label="Raised"><DateTime value={f.createdAt} /></td>
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
        </>
      )}
      <Pager
        label="Pages of flags"
        page={after.length + 1}
        hasPrevious={after.length > 0}
        hasNext={!!data?.flags.pageInfo.hasNextPage}
        onPrevious={() => setAfter((a) => a.slice(0, -1))}
        onNext={() => data?.flags.pageInfo.endCursor && setAfter((a) => [...a, data.flags.pageInfo.endCursor!])}
      />
    </>
  );
}
