/**
 * What a run's end means under the alert rules that watch its scraper, decided without the
 * database: which rules it raises (with the incident's words and figures) and which incidents it
 * resolves.
 *
 * - ERROR raises RUN_ERROR, and CONSECUTIVE_FAILURES once the last `threshold` ended runs all
 *   failed (ERROR only: a WARNING run delivered something, and CANCELLED runs are skipped).
 * - WARNING raises RUN_WARNING when one of its warnings is of the rule's reasons (any, when the rule
 *   names none) and QUALITY_GATE when it broke a gate. It did not fail, so it resolves RUN_ERROR and
 *   CONSECUTIVE_FAILURES, and the RUN_WARNING and QUALITY_GATE incidents whose warning is gone.
 * - SUCCESS resolves every run incident of the scraper. CANCELLED changes nothing.
 */
import type { AlertRuleKind } from '../../db/generated/prisma/enums.ts';
import { RUN_WARNING_REASONS, type RunWarning } from '../../runs/runWarnings.ts';
import type { RuleRow } from '../rules/sql/enabledRules.ts';
import type { Figures } from './noticeIncident.ts';
import type { EndedRun } from './sql/readEndedRun.ts';

/** The rule kinds a run's end opens and resolves. */
export const RUN_RULE_KINDS: AlertRuleKind[] = ['RUN_ERROR', 'CONSECUTIVE_FAILURES', 'RUN_WARNING', 'QUALITY_GATE'];

/** Incident text is read in notifications and lists: an error message of kilobytes is cut. */
const MAX_DETAIL = 1000;

type RuleRaise = { ruleId: number; title: string; reason: string; detail: string; message: string; figures: Figures };
type RunRecovery = { kinds: AlertRuleKind[]; ruleId: number | null; message: string };
export type RunJudgement = { raises: RuleRaise[]; recoveries: RunRecovery[] };

export function judgeRunEnded(run: EndedRun, rules: RuleRow[], streak: number): RunJudgement {
  const raises: RuleRaise[] = [];
  const recoveries: RunRecovery[] = [];
  const name = run.scraperName;
  if (run.status === 'ERROR') {
    const error = cut(`${run.errorType ? `${run.errorType}: ` : ''}${run.errorMessage ?? 'no error message'}`);
    for (const rule of rules) {
      if (rule.kind === 'RUN_ERROR') {
        raises.push({ ruleId: rule.id, title: `${name} failed`, reason: 'RUN_ERROR', detail: `Run ${run.id} ended ERROR: ${error}`, message: `Run ${run.id} ended ERROR: ${error}`, figures: NO_FIGURES });
      } else if (rule.kind === 'CONSECUTIVE_FAILURES' && rule.threshold !== null && streak >= rule.threshold) {
        raises.push({
          ruleId: rule.id,
          title: `${name} failed ${rule.threshold} runs in a row`,
          reason: 'CONSECUTIVE_FAILURES',
          detail: `The last ${streak} runs ended ERROR; the latest, run ${run.id}: ${error}`,
          message: `Run ${run.id} ended ERROR (${streak} in a row): ${error}`,
          figures: { expected: null, actual: streak },
        });
      }
    }
  } else if (run.status === 'WARNING') {
    recoveries.push({ kinds: ['RUN_ERROR', 'CONSECUTIVE_FAILURES'], ruleId: null, message: `Run ${run.id} ended WARNING: it did not fail` });
    const warnings = readWarnings(run.warnings);
    for (const rule of rules) {
      if (rule.kind === 'RUN_WARNING') {
        const anyReason = rule.warningReasons.length === 0;
        const matching = warnings.filter((w) => anyReason || rule.warningReasons.includes(w.reason));
        // A WARNING that names no reason of the known kinds still is one, for a rule that takes any.
        if (anyReason && matching.length === 0) matching.push(UNEXPLAINED_WARNING);
        if (matching.length === 0) {
          recoveries.push({ kinds: ['RUN_WARNING'], ruleId: rule.id, message: `Run ${run.id} ended WARNING without ${rule.warningReasons.join(' or ')}` });
          continue;
        }
        const reasons = [...new Set(matching.map((w) => w.reason))];
        raises.push({
          ruleId: rule.id,
          title: `${name} ended WARNING: ${reasons.join(', ')}`,
          reason: reasons[0]!,
          detail: cut(`Run ${run.id}: ${matching.map((w) => w.message).join(' ')}`),
          message: cut(`Run ${run.id} ended WARNING: ${matching.map((w) => w.message).join(' ')}`),
          figures: figuresOf(matching.find((w) => w.reason === 'VOLUME_DROP') ?? matching[0]!),
        });
      } else if (rule.kind === 'QUALITY_GATE') {
        const gates = warnings.filter((w) => w.reason === 'QUALITY_GATE');
        if (gates.length === 0) {
          recoveries.push({ kinds: ['QUALITY_GATE'], ruleId: rule.id, message: `Run ${run.id} passed its quality gates` });
          continue;
        }
        raises.push({
          ruleId: rule.id,
          title: `${name} broke a quality gate: ${gates.map((w) => w.gate ?? 'unnamed').join(', ')}`,
          reason: 'QUALITY_GATE',
          detail: cut(`Run ${run.id}: ${gates.map((w) => w.message).join(' ')}`),
          message: cut(`Run ${run.id} broke ${gates.map((w) => w.gate ?? 'a gate').join(', ')}`),
          figures: figuresOf(gates[0]!),
        });
      }
    }
  } else if (run.status === 'SUCCESS') {
    recoveries.push({ kinds: RUN_RULE_KINDS, ruleId: null, message: `Run ${run.id} ended SUCCESS` });
  }
  return { raises, recoveries };
}

const NO_FIGURES: Figures = { expected: null, actual: null };

const UNEXPLAINED_WARNING: RunWarning = { reason: 'FLAGS_RAISED', message: 'The run ended WARNING.', expected: null, actual: null, gate: null };

const figuresOf = (w: RunWarning): Figures => ({ expected: w.expected, actual: w.actual });

const cut = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

const KNOWN_REASONS = new Set<string>(RUN_WARNING_REASONS);
const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** run.warnings is JSON written by run completion; an entry of another shape is left out rather than trusted. */
function readWarnings(value: unknown): RunWarning[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const w = entry as Record<string, unknown>;
    if (typeof w.reason !== 'string' || !KNOWN_REASONS.has(w.reason)) return [];
    return [
      {
        reason: w.reason as RunWarning['reason'],
        message: typeof w.message === 'string' ? w.message : w.reason,
        expected: numberOrNull(w.expected),
        actual: numberOrNull(w.actual),
        gate: typeof w.gate === 'string' ? w.gate : null,
      },
    ];
  });
}
