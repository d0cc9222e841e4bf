/**
 * An incident as its notifications describe it (rule, subject names, the run), whether it is
 * snoozed now (its rule, or the scraper it names), and which channels it has told of its opening.
 */
import type pg from 'pg';

export type IncidentForNotice = {
  id: number;
  ruleId: number;
  title: string;
  reason: string;
  detail: string;
  snoozed: boolean;
  ruleChannelIds: number[];
  /** The channels an OPENED notification of this incident was queued for: they are owed its resolution. */
  openedChannelIds: number[];
  scraper: { id: number; slug: string; name: string } | null;
  source: { id: number; name: string } | null;
  runner: { id: number; name: string } | null;
  run: { id: number; status: string } | null;
};

export async function readIncidentForNotice(client: pg.ClientBase, incidentId: number, runId: number | null): Promise<IncidentForNotice> {
  const { rows } = await client.query<IncidentForNotice>({
    name: 'read_incident_for_notice',
    text: `SELECT i.id, i.rule_id AS "ruleId", i.title, i.reason, i.detail,
                  coalesce(r.snoozed_until > now(), false) OR coalesce(s.alerts_snoozed_until > now(), false) AS snoozed,
                  array(SELECT rc.channel_id FROM alert_rule_channel rc WHERE rc.rule_id = r.id ORDER BY rc.channel_id) AS "ruleChannelIds",
                  array(SELECT DISTINCT n.channel_id FROM notification n WHERE n.incident_id = i.id AND n.event = 'OPENED' ORDER BY n.channel_id) AS "openedChannelIds",
                  CASE WHEN s.id IS NOT NULL THEN json_build_object('id', s.id, 'slug', s.slug, 'name', s.name) END AS scraper,
                  CASE WHEN so.id IS NOT NULL THEN json_build_object('id', so.id, 'name', so.name) END AS source,
                  CASE WHEN rn.id IS NOT NULL THEN json_build_object('id', rn.id, 'name', rn.name) END AS runner,
                  CASE WHEN run.id IS NOT NULL THEN json_build_object('id', run.id, 'status', run.status) END AS run
             FROM incident i
             JOIN alert_rule r ON r.id = i.rule_id
             LEFT JOIN scraper s ON s.id = i.scraper_id
             LEFT JOIN source so ON so.id = i.source_id
             LEFT JOIN runner rn ON rn.id = i.runner_id
             LEFT JOIN run ON run.id = $2
            WHERE i.id = $1`,
    values: [incidentId, runId],
  });
  return rows[0]!;
}
