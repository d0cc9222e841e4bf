/**
 * Alerts: incidents (open first, each with its timeline and deliveries), rules and channels, live
 * through incidentUpdated. `?incident=<id>` opens one incident (the links in notifications).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { graphql } from '@/gql/gql';
import type { AlertsIncidentUpdatedSubscription, IncidentFieldsFragment, NotificationFieldsFragment } from '@/gql/graphql';
import { useSubscriptionEvents } from '@/hooks/use-subscription-events';
import { ChannelsSection } from './channels-section';
import { IncidentCard } from './incident-card';
import { newerIncident } from './newest';
import { RulesSection } from './rules-section';
import { usePageTitle } from '@/hooks/use-page-title';

const AlertsQuery = graphql(`
  query Alerts {
    incidents(first: 50) {
      ...IncidentFields
    }
    alertRules {
      ...AlertRuleFields
    }
    alertChannels {
      ...AlertChannelFields
    }
    scrapers {
      id
      name
    }
  }
`);

const SelectedIncidentQuery = graphql(`
  query SelectedIncident($id: ID!) {
    incident(id: $id) {
      ...IncidentFields
    }
  }
`);

const AlertsIncidentUpdated = graphql(`
  subscription AlertsIncidentUpdated {
    incidentUpdated {
      incident {
        ...IncidentFields
      }
      notification {
        ...NotificationFields
      }
    }
  }
`);

const active = (incident: IncidentFieldsFragment) => incident.status !== 'RESOLVED';
const latestFirst = (a: IncidentFieldsFragment, b: IncidentFieldsFragment) => b.lastEventAt.localeCompare(a.lastEventAt) || Number(b.id) - Number(a.id);

export function AlertsPage() {
  usePageTitle('Alerts');
  const [params] = useSearchParams();
  const selectedId = params.get('incident');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: AlertsQuery });
  const [selected] = useQuery({ query: SelectedIncidentQuery, variables: { id: selectedId ?? '' }, pause: !selectedId });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);

  // What incidentUpdated (or a mutation's answer) said; merged with each read, the later of the two kept.
  const [liveIncidents, setLiveIncidents] = useState<ReadonlyMap<string, IncidentFieldsFragment>>(new Map());
  const [liveNotifications, setLiveNotifications] = useState<ReadonlyMap<string, NotificationFieldsFragment>>(new Map());
  // Which incidents show their details; kept here so that one stays open when it moves between lists.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set(selectedId ? [selectedId] : []));
  useEffect(() => {
    if (selectedId) setExpanded((current) => new Set(current).add(selectedId));
  }, [selectedId]);
  const toggle = useCallback(
    (id: string) =>
      setExpanded((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  // A rule deleted takes its incidents along: what was heard of them goes too.
  const rulesChanged = useCallback(() => {
    setLiveIncidents(new Map());
    refetch();
  }, [refetch]);

  const putIncident = useCallback((incident: IncidentFieldsFragment) => setLiveIncidents((m) => new Map(m).set(incident.id, incident)), []);
  const putNotification = useCallback((n: NotificationFieldsFragment) => setLiveNotifications((m) => new Map(m).set(n.id, n)), []);
  const onEvent = useCallback(
    ({ incidentUpdated }: AlertsIncidentUpdatedSubscription) => {
      if (incidentUpdated.incident) putIncident(incidentUpdated.incident);
      if (incidentUpdated.notification) putNotification(incidentUpdated.notification);
    },
    [putIncident, putNotification],
  );
  useSubscriptionEvents(AlertsIncidentUpdated, {}, onEvent, { refetch, paused: !data });

  const incidents = useMemo(() => {
    const byId = new Map((data?.incidents ?? []).map((i) => [i.id, i]));
    const one = selected.data?.incident;
    if (one && !byId.has(one.id)) byId.set(one.id, one);
    for (const incident of liveIncidents.values()) byId.set(incident.id, newerIncident(byId.get(incident.id), incident));
    return [...byId.values()].sort(latestFirst);
  }, [data, selected.data, liveIncidents]);

  if (error) return <ErrorMessage error={error} retry={refetch} />;
  if (!data) return fetching ? <Loading /> : null;

  const open = incidents.filter(active);
  const resolved = incidents.filter((i) => !active(i));
  const channelOptions = data.alertChannels.map((c) => ({ id: c.id, name: c.name }));
  const card = (incident: IncidentFieldsFragment) => (
    <li key={incident.id}>
      <IncidentCard
        incident={incident}
        live={liveNotifications}
        selected={incident.id === selectedId}
        open={expanded.has(incident.id)}
        onToggle={() => toggle(incident.id)}
        onChanged={(changed) => (changed ? putIncident(changed) : refetch())} />
    </li>
  );

  return (
    <>
      <h1>Alerts</h1>
      <nav className="in-page-nav" aria-label="Sections">
        <a href="#incidents-title">Incidents ({open.length} open)</a>
        <a href="#rules-title">Rules ({data.alertRules.length})</a>
        <a href="#channels-title">Channels ({data.alertChannels.length})</a>
      </nav>
      {selectedId && selected.data && !selected.data.incident && <ErrorMessage error={`There is no incident #${selectedId}.`} />}
      <section aria-labelledby="incidents-title" className="alerts-section">
        <h2 id="incidents-title">Incidents</h2>
        <h3 className="subheading">Open</h3>
        {open.length ? (
          <ul className="incident-list" aria-label="Open incidents" data-testid="open-incidents">
            {open.map(card)}
          </ul>
        ) : (
          <Empty>No open incident.</Empty>
        )}
        <h3 className="subheading">Resolved</h3>
        {resolved.length ? (
          <ul className="incident-list" aria-label="Resolved incidents" data-testid="resolved-incidents">
            {resolved.map(card)}
          </ul>
        ) : (
          <Empty>No resolved incident yet.</Empty>
        )}
      </section>
      <RulesSection rules={data.alertRules} scrapers={data.scrapers} channels={channelOptions} onChanged={rulesChanged} />
      <ChannelsSection channels={data.alertChannels} live={liveNotifications} onChanged={refetch} onNotification={putNotification} />
    </>
  );
}
