/**
 * The two moves of an incident that alerting makes, each with what the channels hear of it, in the
 * caller's transaction: raise (open, or add an occurrence silently) and recover (resolve).
 */
import type pg from 'pg';
import { noticeOpening, noticeResolution, type Figures } from './noticeIncident.ts';
import { raiseIncident, type Raise } from './sql/raiseIncident.ts';
import { resolveIncidents, type Resolve } from './sql/resolveIncidents.ts';

/** The incident's id when it opened or recurred; null when an open one was found and left as it was. */
export async function raise(client: pg.ClientBase, r: Raise, figures?: Figures): Promise<number | null> {
  const { incidentId, change } = await raiseIncident(client, r);
  // Also when nothing changed: an opening kept quiet by a snooze that has ended is told now.
  await noticeOpening(client, incidentId, r.runId, figures);
  return change ? incidentId : null;
}

/** The ids of the incidents it resolved. */
export async function recover(client: pg.ClientBase, r: Resolve): Promise<number[]> {
  const resolved = await resolveIncidents(client, r);
  for (const incidentId of resolved) await noticeResolution(client, incidentId, r.runId, r.message);
  return resolved;
}
