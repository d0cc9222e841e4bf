/** One incident: status, subject and figures; opened, its timeline and its notifications with their delivery attempts; admins acknowledge it or snooze its scraper. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ActionProblem, ErrorMessage, Loading } from '@/components/async-state';
import { Badge, RunStatusBadge, type Tone } from '@/components/badge';
import { graphql } from '@/gql/gql';
import type { IncidentFieldsFragment, IncidentStatus, NotificationFieldsFragment } from '@/gql/graphql';
import { DateTime, RelativeTime } from '@/components/date-time';
import { useCanMutate } from '@/lib/session';
import { mergeNotifications } from './newest';
import { NotificationList } from './notification-list';
import { SnoozeControl } from './snooze-control';

// Spread by the Alerts page's queries and its incidentUpdated subscription (codegen reads it from here).
graphql(`
  fragment IncidentFields on Incident {
    id
    status
    title
    reason
    detail
    occurrences
    openedAt
    lastEventAt
    acknowledgedAt
    resolvedAt
    rule {
      id
      name
      kind
    }
    scraper {
      id
      name
      alertsSnoozedUntil
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

// The timeline and deliveries are read when the incident is opened: with every incident's they would
// pass the server's cost limit.
const IncidentDetailQuery = graphql(`
  query IncidentDetail($id: ID!) {
    incident(id: $id) {
      id
      events {
        at
        kind
        message
        run {
          id
          status
        }
      }
      notifications {
        ...NotificationFields
      }
    }
  }
`);

const AcknowledgeIncidentMutation = graphql(`
  mutation AcknowledgeIncident($id: ID!) {
    acknowledgeIncident(id: $id) {
      __typename
      ... on MutationAcknowledgeIncidentSuccess {
        data {
          ...IncidentFields
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const SnoozeScraperAlertsMutation = graphql(`
  mutation SnoozeScraperAlerts($scraperId: ID!, $minutes: Int!) {
    snoozeScraperAlerts(scraperId: $scraperId, minutes: $minutes) {
      __typename
      ... on MutationSnoozeScraperAlertsSuccess {
        data {
          id
          alertsSnoozedUntil
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const STATUS_TONE: Record<IncidentStatus, Tone> = { OPEN: 'bad', ACKNOWLEDGED: 'warn', RESOLVED: 'good' };

function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return (
    <Badge tone={STATUS_TONE[status]}>
      <span data-incident-status={status}>{status}</span>
    </Badge>
  );
}

/** What the incident is about: its scraper, source or runner. */
function subjectOf(incident: IncidentFieldsFragment): string {
  if (incident.scraper) return incident.scraper.name;
  if (incident.source) return `source ${incident.source.name}`;
  if (incident.runner) return `runner ${incident.runner.name}`;
  return '—';
}

function IncidentDetail({ incident, live }: { incident: IncidentFieldsFragment; live: ReadonlyMap<string, NotificationFieldsFragment> }) {
  // Shown again (or moved between the open and resolved lists) it reads afresh: the cached answer may predate events.
  const [{ data, fetching, error }, reexecute] = useQuery({ query: IncidentDetailQuery, variables: { id: incident.id }, requestPolicy: 'cache-and-network' });
  // A new event (it recurred, was acknowledged, resolved) is read again; deliveries arrive in `live`.
  const changed = `${incident.lastEventAt}|${incident.status}|${incident.occurrences}`;
  const seen = useRef(changed);
  useEffect(() => {
    if (seen.current === changed) return;
    seen.current = changed;
    reexecute({ requestPolicy: 'network-only' });
  }, [changed, reexecute]);
  const notifications = useMemo(
    () => mergeNotifications(data?.incident?.notifications ?? [], live.values(), (n) => n.incident?.id === incident.id).sort((a, b) => Number(a.id) - Number(b.id)),
    [data, live, incident.id],
  );

  if (error) return <ErrorMessage error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!data?.incident) return fetching ? <Loading /> : null;
  return (
    <>
      <h4>Timeline</h4>
      <ol className="timeline" data-testid="incident-timeline">
        {data.incident.events.map((event, i) => (
          <li key={`${event.at}-${i}`} data-kind={event.kind}>
            <span className="timeline__time"><DateTime value={event.at} /></span> <strong>{event.kind}</strong> {event.message}
            {event.run && (
              <>
                {' '}
                <Link to={`/runs/${event.run.id}`}>run #{event.run.id}</Link> <RunStatusBadge status={event.run.status} />
              </>
            )}
          </li>
        ))}
      </ol>
      <h4>Notifications</h4>
      <NotificationList notifications={notifications} showChannel empty="No notification was sent (no channel, or alerts were snoozed)." />
    </>
  );
}

export function IncidentCard({
  incident,
  live,
  selected,
  open,
  onToggle,
  onChanged,
}: {
  incident: IncidentFieldsFragment;
  live: ReadonlyMap<string, NotificationFieldsFragment>;
  selected: boolean;
  open: boolean;
  onToggle: () => void;
  onChanged: (incident?: IncidentFieldsFragment) => void;
}) {
  const canMutate = useCanMutate();
  const [problem, setProblem] = useState<string | null>(null);
  const [acking, acknowledge] = useMutation(AcknowledgeIncidentMutation);
  const [snoozing, snooze] = useMutation(SnoozeScraperAlertsMutation);
  const element = useRef<HTMLElement>(null);
  const titleId = `incident-${incident.id}-title`;
  const detailsId = `incident-${incident.id}-details`;

  // The incident named in the address is opened and brought into view.
  useEffect(() => {
    if (!selected) return;
    element.current?.scrollIntoView({ block: 'start' });
    element.current?.focus({ preventScroll: true });
  }, [selected]);

  async function ack() {
    setProblem(null);
    const result = await acknowledge({ id: incident.id });
    const outcome = result.data?.acknowledgeIncident;
    if (outcome?.__typename === 'MutationAcknowledgeIncidentSuccess') onChanged(outcome.data);
    else setProblem(result.error?.message ?? (outcome && 'message' in outcome ? outcome.message : null));
  }

  async function snoozeScraper(scraperId: string, minutes: number) {
    setProblem(null);
    const result = await snooze({ scraperId, minutes });
    const outcome = result.data?.snoozeScraperAlerts;
    if (outcome?.__typename === 'MutationSnoozeScraperAlertsSuccess') onChanged();
    else setProblem(result.error?.message ?? (outcome && 'message' in outcome ? outcome.message : null));
  }

  const scraper = incident.scraper;
  return (
    <article
      ref={element}
      tabIndex={-1}
      className={`card incident-card${selected ? ' incident-card--selected' : ''}`}
      aria-labelledby={titleId}
      data-incident-id={incident.id}
    >
      <header className="incident-card__head">
        <IncidentStatusBadge status={incident.status} />
        <h3 id={titleId}>{incident.title}</h3>
      </header>
      <p className="muted incident-card__meta">
        #{incident.id} · {subjectOf(incident)} · {incident.reason} · rule {incident.rule.name} · opened <RelativeTime value={incident.openedAt} /> ·{' '}
        {incident.occurrences === 1 ? 'once' : `${incident.occurrences} times`}
      </p>
      <div className="actions">
        <button type="button" className="button button--small" aria-expanded={open} aria-controls={detailsId} onClick={onToggle}>
          {open ? 'Hide details' : 'Details'}
        </button>
        <Link to={`/alerts?incident=${incident.id}`} className="incident-card__link">
          Link to this incident
        </Link>
        {canMutate && incident.status === 'OPEN' && (
          <button type="button" className="button button--small button--primary" disabled={acking.fetching} onClick={ack}>
            Acknowledge
          </button>
        )}
      </div>
      <ActionProblem problem={problem} />
      {open && (
        <div id={detailsId} className="incident-card__details">
          <p>{incident.detail}</p>
          <dl className="facts">
            <dt>Opened</dt>
            <dd><DateTime value={incident.openedAt} /></dd>
            <dt>Last event</dt>
            <dd><DateTime value={incident.lastEventAt} /></dd>
            {incident.acknowledgedAt && (
              <>
                <dt>Acknowledged</dt>
                <dd><DateTime value={incident.acknowledgedAt} /></dd>
              </>
            )}
            {incident.resolvedAt && (
              <>
                <dt>Resolved</dt>
                <dd><DateTime value={incident.resolvedAt} /></dd>
              </>
            )}
            {scraper && (
              <>
                <dt>Scraper alerts</dt>
                <dd data-testid="scraper-snooze">
                  {scraper.alertsSnoozedUntil && new Date(scraper.alertsSnoozedUntil) > new Date() ? <>snoozed until <DateTime value={scraper.alertsSnoozedUntil} /></> : 'not snoozed'}
                </dd>
              </>
            )}
          </dl>
          {canMutate && scraper && incident.status !== 'RESOLVED' && (
            <SnoozeControl
              label={`Snooze alerts of ${scraper.name}`}
              snoozedUntil={scraper.alertsSnoozedUntil}
              busy={snoozing.fetching}
              onSnooze={(minutes) => snoozeScraper(scraper.id, minutes)}
            />
          )}
          <IncidentDetail incident={incident} live={live} />
        </div>
      )}
    </article>
  );
}
