/**
 * Which of two reads of the same row is the later: a query's answer can arrive after an event that
 * was sent later, so neither simply replaces the other.
 */
import type { IncidentFieldsFragment, NotificationFieldsFragment } from '@/gql/graphql';

/** A notification only moves forward: more attempts, then out of PENDING. */
const progress = (n: NotificationFieldsFragment) => n.attemptCount * 2 + (n.status === 'PENDING' ? 0 : 1);

function newerNotification(read: NotificationFieldsFragment | undefined, live: NotificationFieldsFragment): NotificationFieldsFragment {
  return read && progress(read) > progress(live) ? read : live;
}

/** Every change of an incident (recurred, acknowledged, resolved) moves its lastEventAt. */
export function newerIncident(read: IncidentFieldsFragment | undefined, live: IncidentFieldsFragment): IncidentFieldsFragment {
  return read && read.lastEventAt > live.lastEventAt ? read : live;
}

/** Notifications read with those heard live merged in, the later read of each kept. */
export function mergeNotifications(read: NotificationFieldsFragment[], live: Iterable<NotificationFieldsFragment>, belongs: (n: NotificationFieldsFragment) => boolean) {
  const byId = new Map(read.map((n) => [n.id, n]));
  for (const n of live) if (belongs(n)) byId.set(n.id, newerNotification(byId.get(n.id), n));
  return [...byId.values()];
}
