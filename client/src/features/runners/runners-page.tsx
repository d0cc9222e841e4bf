/**
 * Runners: which are connected (the server's online: waiting for work, or seen within its window,
 * pushed by runnerUpdated when it changes), when each was last seen, its labels and the run it holds.
 */
import { Link } from 'react-router';
import { useCallback, useEffect, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { Badge, RunStatusBadge } from '@/components/badge';
import { StackTable } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import { onReconnect } from '@/lib/api-client';
import { DateTime, RelativeTime } from '@/components/date-time';
import { usePageTitle } from '@/hooks/use-page-title';
import type { RunnerPresenceFieldsFragment } from '@/gql/graphql';
import { useCanMutate } from '@/lib/session';
import { RunnerLabels } from './runner-labels';

const RunnersQuery = graphql(`
  query Runners {
    runners {
      id
      name
      createdAt
      labels
      ...RunnerPresenceFields
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

// What runnerUpdated pushes, spread by the list too (codegen reads it from here).
graphql(`
  fragment RunnerPresenceFields on Runner {
    id
    online
    lastSeenAt
    revokedAt
  }
`);

const RunnerPresenceUpdated = graphql(`
  subscription RunnerPresenceUpdated {
    runnerUpdated {
      ...RunnerPresenceFields
    }
  }
`);

const RunnersRunUpdated = graphql(`
  subscription RunnersRunUpdated {
    runUpdated {
      id
    }
  }
`);

export function RunnersPage() {
  usePageTitle('Runners');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: RunnersQuery });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const client = useClient();
  // The newest presence of each runner the server pushed since the list was read.
  const [presence, setPresence] = useState<Record<string, RunnerPresenceFieldsFragment>>({});
  useEffect(() => {
    const subscription = client.subscription(RunnerPresenceUpdated, {}).subscribe((result) => {
      const runner = result.data?.runnerUpdated;
      if (runner) setPresence((known) => ({ ...known, [runner.id]: runner }));
    });
    return () => subscription.unsubscribe();
  }, [client]);
  useEffect(() => setPresence({}), [data]);
  // A run that starts or ends changes some runner's current run: read the list again then.
  useEffect(() => {
    const subscription = client.subscription(RunnersRunUpdated, {}).subscribe(refetch);
    const stopListening = onReconnect(client, refetch);
    return () => {
      stopListening();
      subscription.unsubscribe();
    };
  }, [client, refetch]);
  const canMutate = useCanMutate();
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
        <StackTable columns={['Runner', 'State', 'Last seen', 'Labels', 'Current run', 'Registered']}>
          {data.runners.map((listed) => {
            const r = { ...listed, ...presence[listed.id] };
            const connected = r.online && !r.revokedAt;
            return (
              <tr key={r.id}>
                <td data-label="Runner" className="text-cell">{r.name}</td>
                <td data-label="State">
                  {r.revokedAt ? <Badge tone="bad">Revoked</Badge> : connected ? <Badge tone="good">Connected</Badge> : <Badge tone="neutral">Offline</Badge>}
                </td>
                <td data-label="Last seen">
                  {/* While online it waits for work or calls every few seconds, but only a change of presence is pushed: its lastSeenAt here is old. */}
                  {connected ? 'active now' : <RelativeTime value={r.lastSeenAt} />}
                </td>
                <td data-label="Labels" className="text-cell" data-testid="runner-labels">
                  <RunnerLabels runner={r} canEdit={canMutate && !r.revokedAt} />
                </td>
                <td data-label="Current run" className="text-cell">
                  {r.currentRun ? (
                    <>
                      <Link to={`/runs/${r.currentRun.id}`}>#{r.currentRun.id}</Link> {r.currentRun.scraper.name} <RunStatusBadge status={r.currentRun.status} />
                    </>
                  ) : (
                    <span className="muted">idle</span>
                  )}
                </td>
                <td data-label="Registered"><DateTime value={r.createdAt} /></td>
              </tr>
            );
          })}
        </StackTable>
      )}
    </>
  );
}
