/** Runners: which are connected (seen recently), when each was last seen, and the run it holds. */
import { Link } from 'react-router';
import { useCallback, useEffect } from 'react';
import { useClient, useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { Badge, RunStatusBadge } from '@/components/badge';
import { StackTable } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import { onReconnect } from '@/lib/api-client';
import { formatDateTime, formatRelative } from '@/lib/format';

const RunnersQuery = graphql(`
  query Runners {
    runners {
      id
      name
      createdAt
      lastSeenAt
      revokedAt
      currentRun {
        id
        status
        scraper {
          name
        }
      }
    }
  }
`);

/** A runner heartbeats well within this while it works, and polls for runs while idle. */
const CONNECTED_WITHIN_MS = 2 * 60 * 1000;

const RunnersRunUpdated = graphql(`
  subscription RunnersRunUpdated {
    runUpdated {
      id
    }
  }
`);

export function RunnersPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RunnersQuery });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const client = useClient();
  // A run that starts or ends changes some runner's current run: read the list again then.
  useEffect(() => {
    const subscription = client.subscription(RunnersRunUpdated, {}).subscribe(refetch);
    const stopListening = onReconnect(client, refetch);
    return () => {
      stopListening();
      subscription.unsubscribe();
    };
  }, [client, refetch]);
  if (error) return <ErrorMessage error={error} retry={refetch} />;
  if (!data) return fetching ? <Loading /> : null;
  return (
    <>
      <div className="title-row">
        <h1>Runners</h1>
        <button type="button" className="button" onClick={refetch}>
          Refresh
        </button>
      </div>
      {data.runners.length === 0 ? (
        <Empty>No runners registered. Create one with the createRunner mutation and start it with its key.</Empty>
      ) : (
        <StackTable columns={['Runner', 'State', 'Last seen', 'Current run', 'Registered']}>
          {data.runners.map((r) => {
            const connected = !r.revokedAt && r.lastSeenAt != null && Date.now() - new Date(r.lastSeenAt).getTime() < CONNECTED_WITHIN_MS;
            return (
              <tr key={r.id}>
                <td data-label="Runner">{r.name}</td>
                <td data-label="State">
                  {r.revokedAt ? <Badge tone="bad">Revoked</Badge> : connected ? <Badge tone="good">Connected</Badge> : <Badge tone="neutral">Offline</Badge>}
                </td>
                <td data-label="Last seen" title={formatDateTime(r.lastSeenAt)}>{formatRelative(r.lastSeenAt)}</td>
                <td data-label="Current run">
                  {r.currentRun ? (
                    <>
                      <Link to={`/runs/${r.currentRun.id}`}>#{r.currentRun.id}</Link> {r.currentRun.scraper.name} <RunStatusBadge status={r.currentRun.status} />
                    </>
                  ) : (
                    <span className="muted">idle</span>
                  )}
                </td>
                <td data-label="Registered">{formatDateTime(r.createdAt)}</td>
              </tr>
            );
          })}
        </StackTable>
      )}
    </>
  );
}
