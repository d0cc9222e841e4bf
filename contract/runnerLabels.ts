/**
 * Runner labels (a region, a proxy pool, a customer): a run that asks for labels is claimed only by a
 * runner holding all of them. One spelling rule for the definition, a trigger, an admin setting a
 * runner's labels and a runner narrowing its own, so that `EU` and `eu` never silently differ.
 */
import { z } from 'zod';

const MAX_RUNNER_LABELS = 20;
const LABEL = /^[a-z0-9][a-z0-9._:-]{0,62}$/;

export const runnerLabelsSchema = z
  .array(z.string().regex(LABEL, 'a label is 1 to 63 lowercase letters, digits, ".", "_", ":" or "-", starting with a letter or digit'), {
    error: 'must be a list of labels, such as [eu, residential]',
  })
  .max(MAX_RUNNER_LABELS, `at most ${MAX_RUNNER_LABELS} labels`)
  .transform((labels) => [...new Set(labels)].sort());

/** How a run waiting for labelled runners says so. */
export const describeRequiredLabels = (labels: readonly string[]) =>
  labels.length === 0 ? 'waiting for a runner' : `waiting for a runner labelled ${labels.join(' and ')}`;
