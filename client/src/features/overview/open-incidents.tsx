/** The incidents open or acknowledged now, live through incidentUpdated: one opens on top, a resolved one leaves. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { Badge } from '@/components/badge';
import { StackTable } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { OpenIncidentFieldsFragment, OverviewIncidentUpdatedSubscription } from '@/gql/graphql';
import { useSubscriptionEvents } from '@/hooks/use-subscription-events';
import { DateTime } from '@/components/date-time';

graphql(`
  fragment OpenIncidentFields on Incident {
    id
    status
    title
    reason
    openedAt
    lastEventAt
    occurrences
    scraper {
      id
      name
    }
    source {
      id
      name
    }
    runner {
      id
      name
    }
  }
`);

const OpenIncidentsQuery = graphql(`
  query OpenIncidents {
    incidents(status: [OPEN, ACKNOWLEDGED], first: 50) {
      ...OpenIncidentFields
    }
  }
`);

const OverviewIncidentUpdated = graphql(`
  subscription OverviewIncidentUpdated {
    incidentUpdated {
      incident {
        ...OpenIncidentFields
      }
    }
  }
`);

const subjectOf = (i: OpenIncidentFieldsFragment) => i.scraper?.name ?? (i.source ? `source ${i.source.name}` : i.runner ? `runner ${i.runner.name}` : '—');

export function OpenIncidents() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: OpenIncidentsQuery });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  const [incidents, setIncidents] = useState<OpenIncidentFieldsFragment[]>([]);
  useEffect(() => setIncidents(data?.incidents ?? []), [data]);

  const onEvent = useCallback(({ incidentUpdated }: OverviewIncidentUpdatedSubscription) => {
    const incident = incidentUpdated.incident;
    if (!incident) return;
    setIncidents((current) => {
      const rest = current.filter((i) => i.id !== incident.id);
      return incident.status === 'RESOLVED' ? rest : [incident, ...rest];
    });
  }, []);
  useSubscriptionEvents(OverviewIncidentUpdated, {}, onEvent, { refetch, paused: !data });
  const sorted = useMemo(() => [...incidents].sort((a, b) => b.openedAt.localeCompare(a.openedAt)), [incidents]);

  return (
    <section aria-labelledby="open-incidents-title">
      <h2 id="open-incidents-title">
        Open incidents <span data-testid="open-incident-count">{data ? sorted.length : ''}</span>
      </h2>
      {error ? (
        <ErrorMessage error={error} retry={refetch} />
      ) : !data ? (
        fetching && <Loading />
      ) : sorted.length === 0 ? (
        <Empty>No open incident.</Empty>
      ) : (
        <StackTable columns={['Incident', 'Subject', 'Status', 'Opened', { label: 'Times', numeric: true }]} caption="Open incidents" testId="overview-incidents">
          {sorted.map((incident) => (
            <tr key={incident.id} data-incident-id={incident.id}>
              <td data-label="Incident" className="text-cell">
                <Link to={`/alerts?incident=${incident.id}`}>{incident.title}</Link>
              </td>
              <td data-label="Subject" className="text-cell">{subjectOf(incident)}</td>
              <td data-label="Status">
                <Badge tone={incident.status === 'OPEN' ? 'bad' : 'warn'}>{incident.status}</Badge>
              </td>
              <td data-label="Opened"><DateTime value={incident.openedAt} /></td>
              <td className="num" data-label="Times">
                {incident.occurrences}
              </td>
            </tr>
          ))}
        </StackTable>
      )}
    </section>
  );
}
