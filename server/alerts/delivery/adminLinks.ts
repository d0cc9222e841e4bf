/**
 * Links from a notification into the admin, made at send time from the configured public address
 * (PUBLIC_URL), so that a changed address applies to notifications still waiting.
 */
import type { NotificationPayload } from '../notifications/queueNotifications.ts';

export type AdminLinks = { run: string | null; incident: string | null };

export function adminLinks(publicUrl: string, payload: Pick<NotificationPayload, 'run' | 'incidentId'>): AdminLinks {
  return {
    run: payload.run ? `${publicUrl}/runs/${payload.run.id}` : null,
    // The Alerts page opens the incident named in its query.
    incident: payload.incidentId ? `${publicUrl}/alerts?incident=${payload.incidentId}` : null,
  };
}
