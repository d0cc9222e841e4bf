/**
 * The alert pass's freshness step: stores each source's freshness state and, in the transaction
 * that changes it, opens or resolves the SOURCE_FRESHNESS incidents it brings. Sources whose state
 * and incidents already agree are not touched.
 */
import type pg from 'pg';
import { withTransaction } from '../../db/withTransaction.ts';
import { raise, recover } from '../incidents/incidentLifecycle.ts';
import { sourceSubject } from '../incidents/subject.ts';
import { judgeFreshness, needsWork } from './judgeFreshness.ts';
import { lockSource, sourceFreshnessWatch, storeFreshnessState, type SourceWatch } from './sql/sourceFreshnessWatch.ts';

/** The ids of the incidents it changed. */
export async function storeFreshness(pool: pg.Pool, now: Date): Promise<number[]> {
  const changed: number[] = [];
  for (const source of await sourceFreshnessWatch(pool, null)) {
    if (!needsWork(judgeFreshness(source, now))) continue;
    changed.push(...(await withTransaction(pool, (client) => settleSource(client, source.sourceId, now))));
  }
  return changed;
}

/** Judged again on the locked row: a delivery may have landed since the look without locks. */
async function settleSource(client: pg.ClientBase, sourceId: number, now: Date): Promise<number[]> {
  if (!(await lockSource(client, sourceId))) return [];
  const [source] = await sourceFreshnessWatch(client, sourceId);
  if (!source) return [];
  const judgement = judgeFreshness(source, now);
  if (judgement.changed) await storeFreshnessState(client, sourceId, judgement.state);
  const changed: number[] = [];
  for (const rule of judgement.resolve) {
    const why = judgement.state === 'FRESH' ? `${source.name} is FRESH again` : `${source.name} is ${judgement.state}, no longer ${rule.level}`;
    changed.push(...(await recover(client, { subjectKey: sourceSubject(sourceId, null).key, kinds: ['SOURCE_FRESHNESS'], ruleId: rule.ruleId, message: why, runId: null })));
  }
  for (const rule of judgement.open) {
    const detail = describeAge(source, judgement.state, now);
    const id = await raise(
      client,
      { ruleId: rule.ruleId, subject: sourceSubject(sourceId, rule.ruleScraperId), title: `${source.name} is ${judgement.state}`, reason: judgement.state, detail, message: detail, runId: null, recur: false },
      { expected: judgement.state === 'CRITICAL' ? source.criticalAfterMinutes : source.staleAfterMinutes, actual: Math.floor((now.getTime() - source.since.getTime()) / 60_000) },
    );
    if (id !== null) changed.push(id);
  }
  return changed;
}

function describeAge(source: SourceWatch, state: string, now: Date): string {
  const minutes = Math.floor((now.getTime() - source.since.getTime()) / 60_000);
  const limit = state === 'CRITICAL' ? `criticalAfterMinutes ${source.criticalAfterMinutes}` : `staleAfterMinutes ${source.staleAfterMinutes}`;
  return source.delivered
    ? `${source.name} last delivered products that passed its checks ${minutes} minutes ago (${limit}).`
    : `${source.name} has delivered no products that passed its checks in the ${minutes} minutes since it was made (${limit}).`;
}
