/**
 * Queues what the channels hear of an incident: its opening once, its resolution once. Nothing is
 * sent while the rule or the scraper is snoozed; an incident that opened during a snooze announces
 * its opening at its first occurrence after it (so a failure that outlasts a snooze is not lost),
 * and a resolution goes only to the channels that were told of the opening.
 */
import type pg from 'pg';
import { queueNotifications, type NotificationPayload } from '../notifications/queueNotifications.ts';
import { readIncidentForNotice, type IncidentForNotice } from './sql/readIncidentForNotice.ts';

/** Figures a notification carries beside the incident: a volume's expected and actual count, a gate's limit and measure. */
export type Figures = { expected: number | null; actual: number | null };

const NO_FIGURES: Figures = { expected: null, actual: null };

/** Queues the OPENED notifications unless snoozed or already queued; returns their ids. */
export async function noticeOpening(client: pg.ClientBase, incidentId: number, runId: number | null, figures: Figures = NO_FIGURES): Promise<number[]> {
  const incident = await readIncidentForNotice(client, incidentId, runId);
  if (incident.snoozed || incident.openedChannelIds.length > 0) return [];
  return queueNotifications(client, { incidentId, event: 'OPENED', channelIds: incident.ruleChannelIds, payload: payloadOf(incident, figures) });
}

/** Queues the RESOLVED notifications owed to the channels that heard of the opening, unless snoozed. */
export async function noticeResolution(client: pg.ClientBase, incidentId: number, runId: number | null, why: string): Promise<number[]> {
  const incident = await readIncidentForNotice(client, incidentId, runId);
  if (incident.snoozed || incident.openedChannelIds.length === 0) return [];
  // The detail says what recovered; the title stays the opening's, so that a reader pairs the two.
  const payload = { ...payloadOf(incident, NO_FIGURES), detail: why };
  return queueNotifications(client, { incidentId, event: 'RESOLVED', channelIds: incident.openedChannelIds, payload });
}

function payloadOf(incident: IncidentForNotice, figures: Figures): NotificationPayload {
  return {
    title: incident.title,
    reason: incident.reason,
    detail: incident.detail,
    incidentId: incident.id,
    ruleId: incident.ruleId,
    scraper: incident.scraper,
    source: incident.source,
    runner: incident.runner,
    run: incident.run,
    expected: figures.expected,
    actual: figures.actual,
    occurredAt: new Date().toISOString(),
  };
}
