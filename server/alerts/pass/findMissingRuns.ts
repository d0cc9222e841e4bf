/**
 * The alert pass's expected-run step: a scheduled fire time that passed by more than a rule's grace
 * with no run started opens an EXPECTED_RUN_MISSING incident, once (later passes that find the same
 * add nothing); a run starting (or the scraper no longer being scheduled) resolves it.
 */
import type pg from 'pg';
import { withTransaction } from '../../db/withTransaction.ts';
import { raise, recover } from '../incidents/incidentLifecycle.ts';
import { scraperSubject } from '../incidents/subject.ts';
import { DEFAULT_GRACE_MINUTES } from '../rules/ruleInput.ts';
import { enabledRules } from '../rules/sql/enabledRules.ts';
import { describeMissingRun, describeRecovery, missedFireAt } from './judgeMissingRun.ts';
import { openMissingRunIncidents, scheduleWatch } from './sql/scheduleWatch.ts';

const graceOf = (graceMinutes: number | null) => graceMinutes ?? DEFAULT_GRACE_MINUTES.EXPECTED_RUN_MISSING;

/** The ids of the incidents it changed. */
export async function findMissingRuns(pool: pg.Pool, now: Date): Promise<number[]> {
  const [scrapers, rules, open] = await Promise.all([scheduleWatch(pool), enabledRules(pool, ['EXPECTED_RUN_MISSING'], null), openMissingRunIncidents(pool)]);
  const scraperById = new Map(scrapers.map((s) => [s.scraperId, s]));
  const changed: number[] = [];

  for (const incident of open) {
    const scraper = scraperById.get(incident.scraperId);
    // A disabled rule's incident waits for the recovery; one whose rule now watches another scraper does not.
    const watched = !incident.ruleEnabled || incident.ruleScraperId === null || incident.ruleScraperId === incident.scraperId;
    if (scraper && watched && missedFireAt(scraper, graceOf(incident.graceMinutes), now)) continue;
    const message = watched ? describeRecovery(scraper) : 'The rule watches another scraper now';
    const subjectKey = scraperSubject(incident.scraperId).key;
    changed.push(...(await withTransaction(pool, (client) => recover(client, { subjectKey, kinds: ['EXPECTED_RUN_MISSING'], ruleId: incident.ruleId, message, runId: null }))));
  }

  const alreadyOpen = new Set(open.map((incident) => `${incident.ruleId}:${incident.scraperId}`));
  for (const rule of rules) {
    for (const scraper of scrapers) {
      if ((rule.scraperId !== null && rule.scraperId !== scraper.scraperId) || alreadyOpen.has(`${rule.id}:${scraper.scraperId}`)) continue;
      const grace = graceOf(rule.graceMinutes);
      const fireAt = missedFireAt(scraper, grace, now);
      if (!fireAt) continue;
      const detail = describeMissingRun(scraper, fireAt, grace);
      const id = await withTransaction(pool, (client) =>
        raise(client, {
          ruleId: rule.id,
          subject: scraperSubject(scraper.scraperId),
          title: `${scraper.name}: expected run missing`,
          reason: 'EXPECTED_RUN_MISSING',
          detail,
          message: detail,
          runId: scraper.queuedRunId,
          recur: false,
        }),
      );
      if (id !== null) changed.push(id);
    }
  }
  return changed;
}
