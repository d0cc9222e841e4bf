/**
 * A source's freshness at a moment and what it means for the SOURCE_FRESHNESS rules, decided
 * without the database: the state to store, the rules whose incident opens, and the ones whose
 * incident resolves.
 */
import type { FreshnessStatus } from '../../db/generated/prisma/enums.ts';
import type { FreshnessRuleWatch, SourceWatch } from './sql/sourceFreshnessWatch.ts';

function freshnessAt(source: Pick<SourceWatch, 'since' | 'staleAfterMinutes' | 'criticalAfterMinutes'>, now: Date): FreshnessStatus {
  const ageMinutes = (now.getTime() - source.since.getTime()) / 60_000;
  if (ageMinutes >= source.criticalAfterMinutes) return 'CRITICAL';
  if (ageMinutes >= source.staleAfterMinutes) return 'STALE';
  return 'FRESH';
}

/** A STALE rule fires on STALE and CRITICAL; a CRITICAL one on CRITICAL only. */
export function meetsLevel(state: FreshnessStatus, level: FreshnessStatus | null): boolean {
  if (level === 'CRITICAL') return state === 'CRITICAL';
  if (level === 'STALE') return state !== 'FRESH';
  return false;
}

export type FreshnessJudgement = {
  state: FreshnessStatus;
  /** The stored state differs. */
  changed: boolean;
  open: FreshnessRuleWatch[];
  resolve: FreshnessRuleWatch[];
};

export function judgeFreshness(source: SourceWatch, now: Date): FreshnessJudgement {
  const state = freshnessAt(source, now);
  const open: FreshnessRuleWatch[] = [];
  const resolve: FreshnessRuleWatch[] = [];
  for (const rule of source.rules) {
    const meets = meetsLevel(state, rule.level);
    if (meets && rule.enabled && rule.applies && !rule.open) open.push(rule);
    // A disabled rule's incident waits for the recovery; one whose rule now watches another source does not.
    else if (rule.open && (!meets || (rule.enabled && !rule.applies))) resolve.push(rule);
  }
  return { state, changed: state !== source.stored, open, resolve };
}

export const needsWork = (j: FreshnessJudgement) => j.changed || j.open.length > 0 || j.resolve.length > 0;
