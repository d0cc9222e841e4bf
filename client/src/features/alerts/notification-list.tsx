/** Notifications with each delivery attempt (time, status code, ok, error), for a channel or an incident. */
import { Link } from 'react-router';
import { Badge, type Tone } from '@/components/badge';
import { Empty } from '@/components/async-state';
import { StackTable } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { NotificationFieldsFragment, NotificationStatus } from '@/gql/graphql';
import { DateTime } from '@/components/date-time';

// Spread by the channels, incidents and incidentUpdated documents (codegen reads it from here).
graphql(`
  fragment NotificationFields on Notification {
    id
    messageId
    event
    status
    title
    attemptCount
    nextAttemptAt
    createdAt
    deliveredAt
    channel {
      id
      name
      kind
    }
    incident {
      id
      title
    }
    attempts {
      at
      statusCode
      ok
      error
      durationMs
    }
  }
`);

const STATUS_TONE: Record<NotificationStatus, Tone> = { PENDING: 'info', DELIVERED: 'good', FAILED: 'bad' };

function NotificationStatusBadge({ status }: { status: NotificationStatus }) {
  return (
    <Badge tone={STATUS_TONE[status]}>
      <span data-notification-status={status}>{status}</span>
    </Badge>
  );
}

type Show = { showChannel?: boolean; showIncident?: boolean };

function NotificationItem({ notification: n, showChannel = false, showIncident = false }: { notification: NotificationFieldsFragment } & Show) {
  return (
    <li className="notification" data-notification-id={n.id}>
      <div className="notification__head">
        <NotificationStatusBadge status={n.status} />
        <Badge tone="neutral">{n.event}</Badge>
        <span className="notification__title">{n.title}</span>
      </div>
      <p className="muted notification__meta">
        {showChannel && <>to {n.channel.name} · </>}
        {showIncident && n.incident && (
          <>
            about <Link to={`/alerts?incident=${n.incident.id}`}>incident #{n.incident.id}</Link> ·{' '}
          </>
        )}
        queued <DateTime value={n.createdAt} />
        {n.deliveredAt && <> · delivered <DateTime value={n.deliveredAt} /></>}
        {n.nextAttemptAt && <> · next attempt <DateTime value={n.nextAttemptAt} /></>} · <span title="webhook-id">{n.messageId}</span>
      </p>
      {n.attempts.length === 0 ? (
        <p className="muted notification__meta">No attempt yet.</p>
      ) : (
        <StackTable columns={['Attempt', 'Time', { label: 'Status code', numeric: true }, 'Result', { label: 'Took', numeric: true }]} caption={`Delivery attempts of ${n.title}`} testId="delivery-attempts">
          {n.attempts.map((a, i) => (
            <tr key={a.at + i} data-ok={a.ok}>
              <td data-label="Attempt">{i + 1}</td>
              <td data-label="Time"><DateTime value={a.at} /></td>
              <td className="num" data-label="Status code">
                {a.statusCode ?? '—'}
              </td>
              <td data-label="Result" className="text-cell">{a.ok ? <Badge tone="good">ok</Badge> : <span className="attempt-error">{a.error ?? 'failed'}</span>}</td>
              <td className="num" data-label="Took">
                {a.durationMs} ms
              </td>
            </tr>
          ))}
        </StackTable>
      )}
    </li>
  );
}

export function NotificationList({ notifications, empty, ...show }: { notifications: NotificationFieldsFragment[]; empty: string } & Show) {
  if (notifications.length === 0) return <Empty>{empty}</Empty>;
  return (
    <ol className="notification-list">
      {notifications.map((n) => (
        <NotificationItem key={n.id} notification={n} {...show} />
      ))}
    </ol>
  );
}
