/**
 * The announcement that an incident changed (opened, recurred, acknowledged, resolved) or that a
 * notification's delivery state did, on the live bus channel `incident_updated`: ids only, readers
 * load the rows. Incident writes NOTIFY it in their own transaction, so that the PostgreSQL bus
 * delivers it at commit; on another bus the writer's caller publishes the same payload after commit.
 */
export const INCIDENT_UPDATED_CHANNEL = 'incident_updated';

export type IncidentUpdate = { incidentId: number | null; notificationId: number | null };

export const incidentUpdatePayload = (update: IncidentUpdate) => JSON.stringify(update);

/** The update a payload names, or null when it is malformed. */
export function parseIncidentUpdate(payload: string): IncidentUpdate | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { incidentId = null, notificationId = null } = parsed as Record<string, unknown>;
  const isId = (value: unknown) => value === null || (typeof value === 'number' && Number.isSafeInteger(value) && value > 0);
  if (!isId(incidentId) || !isId(notificationId) || (incidentId === null && notificationId === null)) return null;
  return { incidentId: incidentId as number | null, notificationId: notificationId as number | null };
}

/** A SQL expression that NOTIFYs the incident whose id is `idSql`; select it where the change is made. */
export function notifyIncidentUpdatedSql(idSql: string): string {
  return `pg_notify('${INCIDENT_UPDATED_CHANNEL}', json_build_object('incidentId', ${idSql}, 'notificationId', NULL)::text)`;
}
