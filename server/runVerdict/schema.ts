/** The server's verdict on a run, on the Run type: why it is WARNING, what it was expected to find, and its own quality summary. */
import { builder } from '../graphql/builder.ts';
import type { FieldMissingCount, RunQuality } from '../quality/sql/measureRunQuality.ts';
import type { RunWarning, RunWarningReason } from '../runs/runWarnings.ts';
import { RunRef } from '../runs/schema.ts';

export const RunWarningReasonEnum = builder.enumType('RunWarningReason', {
  description: 'Why a run that did not fail ended WARNING.',
  values: {
    VOLUME_DROP: {
      description:
        "It found no products, or fewer than the scraper's volumeDropRatio (default 0.5) of the products expected: the definition's " +
        'minProducts, or else the median found by its last 10 good runs (learned once it has 3). expected and actual give both figures.',
    },
    QUALITY_GATE: { description: 'It broke a gate of its definition (named in gate, with the limit as expected and the measured value as actual); its products are held.' },
    FLAGS_RAISED: { description: 'Its products raised new flags for the cleanup queue (actual: how many).' },
    RUNNER_REPORTED: { description: 'The runner itself reported WARNING (for example some SKUs failed); message says why.' },
  } satisfies Record<RunWarningReason, { description: string }>,
});

export const RunWarningRef = builder.objectRef<RunWarning>('RunWarning').implement({
  description: 'One reason a run ended WARNING, with its figures.',
  fields: (t) => ({
    reason: t.expose('reason', { type: RunWarningReasonEnum }),
    message: t.exposeString('message'),
    expected: t.exposeFloat('expected', { nullable: true, description: 'VOLUME_DROP: the products expected; QUALITY_GATE: the limit of the gate.' }),
    actual: t.exposeFloat('actual', { nullable: true, description: 'VOLUME_DROP: the products found; QUALITY_GATE: the measured value; FLAGS_RAISED: the flags.' }),
    gate: t.exposeString('gate', { nullable: true, description: 'QUALITY_GATE: the gate broken, e.g. maxMissingPercent.price.' }),
  }),
});

const FieldMissingCountRef = builder.objectRef<FieldMissingCount>('FieldMissingCount').implement({
  description: "How many of a run's products lack a field its definition scrapes.",
  fields: (t) => ({
    field: t.exposeString('field'),
    missing: t.exposeInt('missing'),
    percent: t.exposeFloat('percent', { description: 'missing over the products of the run, 0..100 (0 without products).' }),
  }),
});

const RunQualityRef = builder.objectRef<RunQuality>('RunQuality').implement({
  description:
    'The quality of the products a run stored, measured when it ended: a problem that persists shows on every run that has it ' +
    '(flags, one per product and kind, are raised only once).',
  fields: (t) => ({
    productCount: t.exposeInt('productCount', { description: 'Products the run stored (one per SKU).' }),
    missingFields: t.field({ type: [FieldMissingCountRef], description: 'One entry per optional field the definition scrapes; fields it does not scrape are never missing.', resolve: (q) => q.missingFields }),
    outliers: t.exposeInt('outliers', { description: "Its products priced outside their category's fences (1.5 × IQR over the source's prices)." }),
    duplicates: t.exposeInt('duplicates', { description: "Its products repeating another product's name and brand in the source." }),
  }),
});

builder.prismaObjectFields(RunRef, (t) => ({
  warnings: t.field({
    type: [RunWarningRef],
    select: { warnings: true },
    description: 'Why the run ended WARNING, one entry per reason; empty for any other outcome.',
    resolve: (run) => run.warnings as RunWarning[],
  }),
  expectedProducts: t.exposeInt('expectedProducts', {
    nullable: true,
    description: "The products the run was judged against: the definition's minProducts, or the learned median; null while neither is known.",
  }),
  quality: t.field({
    type: RunQualityRef,
    nullable: true,
    select: { quality: true },
    description: 'The quality summary of its products, set when a runner completed it; null before, and for runs cancelled or lost.',
    resolve: (run) => run.quality as RunQuality | null,
  }),
}));
