/**
 * Why a run that did not fail ended WARNING. Stored on the run (run.warnings), shown on its card and
 * carried by the alerts it raises, so each names its figures rather than leaving a person to guess.
 */
export const RUN_WARNING_REASONS = ['VOLUME_DROP', 'QUALITY_GATE', 'FLAGS_RAISED', 'RUNNER_REPORTED'] as const;

export type RunWarningReason = (typeof RUN_WARNING_REASONS)[number];

export type RunWarning = {
  reason: RunWarningReason;
  message: string;
  /** VOLUME_DROP: the products expected; QUALITY_GATE: the gate's limit. */
  expected: number | null;
  /** VOLUME_DROP: the products found; QUALITY_GATE: the measured value. */
  actual: number | null;
  /** QUALITY_GATE: the gate broken, e.g. maxMissingPercent.price. */
  gate: string | null;
};
