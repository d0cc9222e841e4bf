/**
 * Judges a run that just ended against the alert rules, inside the transaction that ended it: an
 * incident opens (or recurs) on a failure and resolves on a recovery, and the notifications that
 * causes are queued in the same transaction. Returns the ids of the incidents it changed, for the
 * live incidentUpdated announcement after commit.
 */
import type pg from 'pg';
import { enabledRules } from '../rules/sql/enabledRules.ts';
import { raise, recover } from './incidentLifecycle.ts';
import { judgeRunEnded, RUN_RULE_KINDS } from './judgeRunEnded.ts';
import { lockScraperIncidents } from './sql/lockScraperIncidents.ts';
import { failureStreak, readEndedRun } from './sql/readEndedRun.ts';
import { scraperSubject } from './subject.ts';

export async function alertOnRunEnded(client: pg.ClientBase, runId: number): Promise<number[]> {
  const run = await readEndedRun(client, runId);
  if (!run) return [];
  await lockScraperIncidents(client, run.scraperId);
  const rules = await enabledRules(client, RUN_RULE_KINDS, run.scraperId);
  const thresholds = rules.flatMap((rule) => (rule.kind === 'CONSECUTIVE_FAILURES' && rule.threshold !== null ? [rule.threshold] : []));
  const streak = run.status === 'ERROR' && thresholds.length > 0 ? await failureStreak(client, run.scraperId, Math.max(...thresholds)) : 0;
  const { raises, recoveries } = judgeRunEnded(run, rules, streak);
  const subject = scraperSubject(run.scraperId);
  const changed: number[] = [];
  for (const recovery of recoveries) {
    changed.push(...(await recover(client, { subjectKey: subject.key, kinds: recovery.kinds, ruleId: recovery.ruleId, message: recovery.message, runId })));
  }
  for (const r of raises) {
    const id = await raise(client, { ruleId: r.ruleId, subject, title: r.title, reason: r.reason, detail: r.detail, message: r.message, runId, recur: true }, r.figures);
    if (id !== null) changed.push(id);
  }
  return changed;
}
