/**
 * The JSON event a webhook receives, and the facts every channel renders. Its shape is part of the
 * public contract (docs/alerts.md): fields are added, never renamed or removed.
 */
import type { NotificationEventName, NotificationPayload } from '../notifications/queueNotifications.ts';
import { adminLinks, type AdminLinks } from './adminLinks.ts';

const EVENT_TYPES: Record<NotificationEventName, string> = {
  OPENED: 'incident.opened',
  RESOLVED: 'incident.resolved',
  TEST: 'channel.test',
};

export type AlertEvent = {
  /** incident.opened, incident.resolved or channel.test. */
  type: string;
  /** When the change happened (ISO 8601), as in data.occurredAt. */
  timestamp: string;
  data: NotificationPayload & { event: NotificationEventName; links: AdminLinks };
};

export function alertEvent(event: NotificationEventName, payload: NotificationPayload, publicUrl: string): AlertEvent {
  return {
    type: EVENT_TYPES[event],
    timestamp: payload.occurredAt,
    data: { ...payload, event, links: adminLinks(publicUrl, payload) },
  };
}

/** A short headline: what happened, to what, and why. */
export function alertHeadline(event: NotificationEventName, payload: NotificationPayload): string {
  const what = event === 'OPENED' ? 'Incident opened' : event === 'RESOLVED' ? 'Resolved' : 'Test';
  const subject = payload.scraper?.name ?? payload.source?.name ?? payload.runner?.name;
  return [what, subject, payload.reason].filter(Boolean).join(' · ');
}
