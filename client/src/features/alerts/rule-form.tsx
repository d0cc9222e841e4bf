/** Creates or replaces an alert rule; only the fields its kind takes are shown and sent. */
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '@/gql/gql';
import type { AlertRuleFieldsFragment, AlertRuleInput, AlertRuleKind, FreshnessStatus, RunWarningReason } from '@/gql/graphql';

const CreateAlertRuleMutation = graphql(`
  mutation CreateAlertRule($input: AlertRuleInput!) {
    createAlertRule(input: $input) {
      __typename
      ... on ValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

const UpdateAlertRuleMutation = graphql(`
  mutation UpdateAlertRule($id: ID!, $input: AlertRuleInput!) {
    updateAlertRule(id: $id, input: $input) {
      __typename
      ... on ValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

export const RULE_KINDS: Record<AlertRuleKind, string> = {
  RUN_ERROR: 'A run ended ERROR',
  CONSECUTIVE_FAILURES: 'Consecutive failures',
  RUN_WARNING: 'A run ended WARNING',
  QUALITY_GATE: 'A quality gate broke',
  SOURCE_FRESHNESS: 'Source freshness',
  EXPECTED_RUN_MISSING: 'Expected run missing',
  RUNNER_OFFLINE: 'Runner offline with work',
};
const REASONS: RunWarningReason[] = ['VOLUME_DROP', 'QUALITY_GATE', 'FLAGS_RAISED', 'RUNNER_REPORTED'];

type Option = { id: string; name: string };

export function RuleForm({ rule, scrapers, channels, onDone }: { rule?: AlertRuleFieldsFragment; scrapers: Option[]; channels: Option[]; onDone: (saved: boolean) => void }) {
  const [name, setName] = useState(rule?.name ?? '');
  const [kind, setKind] = useState<AlertRuleKind>(rule?.kind ?? 'RUN_ERROR');
  const [scraperId, setScraperId] = useState(rule?.scraper?.id ?? '');
  const [threshold, setThreshold] = useState(String(rule?.threshold ?? 3));
  const [reasons, setReasons] = useState<Set<RunWarningReason>>(new Set(rule?.warningReasons));
  const [freshnessLevel, setFreshnessLevel] = useState<FreshnessStatus>(rule?.freshnessLevel ?? 'STALE');
  const [graceMinutes, setGraceMinutes] = useState(rule?.graceMinutes == null ? '' : String(rule.graceMinutes));
  const [channelIds, setChannelIds] = useState<Set<string>>(new Set(rule?.channels.map((c) => c.id)));
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [problems, setProblems] = useState<string[]>([]);
  const [creating, create] = useMutation(CreateAlertRuleMutation);
  const [updating, update] = useMutation(UpdateAlertRuleMutation);
  const prefix = useId();

  const toggle = <T,>(set: Set<T>, value: T) => {
    const next = new Set(set);
    if (!next.delete(value)) next.add(value);
    return next;
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input: AlertRuleInput = {
      name: name.trim(),
      kind,
      channelIds: [...channelIds],
      enabled,
      ...(kind !== 'RUNNER_OFFLINE' && scraperId ? { scraperId } : {}),
      ...(kind === 'CONSECUTIVE_FAILURES' ? { threshold: Number(threshold) } : {}),
      ...(kind === 'RUN_WARNING' ? { warningReasons: [...reasons] } : {}),
      ...(kind === 'SOURCE_FRESHNESS' ? { freshnessLevel } : {}),
      ...((kind === 'EXPECTED_RUN_MISSING' || kind === 'RUNNER_OFFLINE') && graceMinutes.trim() ? { graceMinutes: Number(graceMinutes) } : {}),
    };
    const result = rule ? await update({ id: rule.id, input }) : await create({ input });
    const outcome = result.data && ('updateAlertRule' in result.data ? result.data.updateAlertRule : result.data.createAlertRule);
    if (result.error) return setProblems([result.error.message]);
    if (outcome?.__typename === 'ValidationError') return setProblems(outcome.issues.map((i) => `${i.path}: ${i.message}`));
    if (outcome && 'message' in outcome) return setProblems([outcome.message]);
    setProblems([]);
    onDone(true);
  }

  return (
    <form className="editor" onSubmit={submit} aria-label={rule ? `Edit rule ${rule.name}` : 'New rule'}>
      <label htmlFor={`${prefix}-name`}>Name</label>
      <input id={`${prefix}-name`} value={name} onChange={(e) => setName(e.target.value)} required />
      <label htmlFor={`${prefix}-kind`}>Fires when</label>
      <select id={`${prefix}-kind`} value={kind} onChange={(e) => setKind(e.target.value as AlertRuleKind)}>
        {Object.entries(RULE_KINDS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {kind !== 'RUNNER_OFFLINE' && (
        <>
          <label htmlFor={`${prefix}-scraper`}>Scraper</label>
          <select id={`${prefix}-scraper`} value={scraperId} onChange={(e) => setScraperId(e.target.value)}>
            <option value="">All scrapers</option>
            {scrapers.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </>
      )}
      {kind === 'CONSECUTIVE_FAILURES' && (
        <>
          <label htmlFor={`${prefix}-threshold`}>Failures in a row (2 to 100)</label>
          <input id={`${prefix}-threshold`} type="number" min={2} max={100} value={threshold} onChange={(e) => setThreshold(e.target.value)} required />
        </>
      )}
      {kind === 'RUN_WARNING' && (
        <fieldset className="checkbox-group">
          <legend>Only these reasons (none: any)</legend>
          {REASONS.map((reason) => (
            <label key={reason} className="checkbox">
              <input type="checkbox" checked={reasons.has(reason)} onChange={() => setReasons((r) => toggle(r, reason))} /> {reason}
            </label>
          ))}
        </fieldset>
      )}
      {kind === 'SOURCE_FRESHNESS' && (
        <>
          <label htmlFor={`${prefix}-freshness`}>When the source becomes</label>
          <select id={`${prefix}-freshness`} value={freshnessLevel} onChange={(e) => setFreshnessLevel(e.target.value as FreshnessStatus)}>
            <option value="STALE">STALE (or CRITICAL)</option>
            <option value="CRITICAL">CRITICAL</option>
          </select>
        </>
      )}
      {(kind === 'EXPECTED_RUN_MISSING' || kind === 'RUNNER_OFFLINE') && (
        <>
          <label htmlFor={`${prefix}-grace`}>Grace in minutes (default {kind === 'RUNNER_OFFLINE' ? 5 : 10})</label>
          <input id={`${prefix}-grace`} type="number" min={1} max={10080} value={graceMinutes} onChange={(e) => setGraceMinutes(e.target.value)} />
        </>
      )}
      <fieldset className="checkbox-group">
        <legend>Channels (none: incidents are recorded only)</legend>
        {channels.length === 0 && <span className="muted">No channels yet.</span>}
        {channels.map((c) => (
          <label key={c.id} className="checkbox">
            <input type="checkbox" checked={channelIds.has(c.id)} onChange={() => setChannelIds((ids) => toggle(ids, c.id))} /> {c.name}
          </label>
        ))}
      </fieldset>
      <label className="checkbox">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
      </label>
      {problems.length > 0 && (
        <ul className="field-error" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={creating.fetching || updating.fetching}>
          {rule ? 'Save rule' : 'Create rule'}
        </button>
        <button type="button" className="button" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
