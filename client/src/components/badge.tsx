/** Coloured labels for statuses; every tone meets WCAG AA contrast on its background. */
import type { FreshnessStatus, HealthState, Publication, RunStatus } from '@/gql/graphql';

export type Tone = 'good' | 'warn' | 'bad' | 'info' | 'neutral' | 'active';

export function Badge({ tone, children, label }: { tone: Tone; children: React.ReactNode; label?: string }) {
  return (
    <span className={`badge badge--${tone}`} aria-label={label}>
      {children}
    </span>
  );
}

const RUN_TONES: Record<RunStatus, Tone> = {
  QUEUED: 'neutral',
  RUNNING: 'active',
  SUCCESS: 'good',
  WARNING: 'warn',
  ERROR: 'bad',
  CANCELLED: 'neutral',
};

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge--${RUN_TONES[status]}`} data-status={status}>
      {status}
    </span>
  );
}

const HEALTH: Record<HealthState, { tone: Tone; label: string }> = {
  HEALTHY: { tone: 'good', label: 'Healthy' },
  DEGRADED: { tone: 'warn', label: 'Degraded' },
  FAILING: { tone: 'bad', label: 'Failing' },
  NO_DATA: { tone: 'neutral', label: 'No data' },
};

/** A scraper's HealthState in words (the colour only repeats them). */
export function HealthStateBadge({ state }: { state: HealthState }) {
  return (
    <span className={`badge badge--${HEALTH[state].tone}`} data-health={state}>
      <span className="visually-hidden">Health: </span>
      {HEALTH[state].label}
    </span>
  );
}

const PUBLICATION: Record<Publication, { tone: Tone; label: string }> = {
  NONE: { tone: 'neutral', label: 'Nothing to publish' },
  PUBLISHED: { tone: 'good', label: 'Published' },
  HELD: { tone: 'warn', label: 'Held' },
  APPROVED: { tone: 'good', label: 'Approved' },
  SUPERSEDED: { tone: 'neutral', label: 'Superseded' },
};

export function PublicationBadge({ publication }: { publication: Publication }) {
  return (
    <span className={`badge badge--${PUBLICATION[publication].tone}`} data-publication={publication}>
      {PUBLICATION[publication].label}
    </span>
  );
}

const FRESHNESS_TONES: Record<FreshnessStatus, Tone> = { FRESH: 'good', STALE: 'warn', CRITICAL: 'bad' };

export function FreshnessBadge({ status }: { status: FreshnessStatus }) {
  return <Badge tone={FRESHNESS_TONES[status]}>{status}</Badge>;
}

/** Green at 90% and above, yellow at 70%, red below; grey when nothing finished. */
export function successTone(rate: number | null | undefined): Tone {
  if (rate == null) return 'neutral';
  if (rate >= 0.9) return 'good';
  if (rate >= 0.7) return 'warn';
  return 'bad';
}
