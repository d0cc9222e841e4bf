/** The zod rules for source input, shared by every mutation that takes a new source. */
import { z } from 'zod';

const DEFAULT_STALE_AFTER_MINUTES = 1440;
const DEFAULT_CRITICAL_AFTER_MINUTES = 4320;
const MINUTES_PER_YEAR = 525_600;

/** A label a person reads in lists: trimmed, printable, of a sane length. */
export const displayName = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not hold control characters');

const httpUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http or https URL');

const minutes = z
  .number()
  .int()
  .min(1, 'must be at least 1 minute')
  .max(MINUTES_PER_YEAR, `must be at most ${MINUTES_PER_YEAR} minutes (a year)`);

/** A source turns CRITICAL no sooner than STALE, whichever of the two thresholds is left at its default. */
const thresholdsInOrder = (source: { staleAfterMinutes?: number | null; criticalAfterMinutes?: number | null }) =>
  (source.criticalAfterMinutes ?? DEFAULT_CRITICAL_AFTER_MINUTES) >= (source.staleAfterMinutes ?? DEFAULT_STALE_AFTER_MINUTES);

/**
 * A new source as a whole, checked by the input that carries it (so that its problems come back
 * together with that input's others, not before them).
 */
export const newSource = z
  .looseObject({
    name: displayName(200),
    url: httpUrl,
    staleAfterMinutes: minutes.nullish(),
    criticalAfterMinutes: minutes.nullish(),
  })
  .refine(thresholdsInOrder, { message: 'criticalAfterMinutes must be at least staleAfterMinutes', path: ['criticalAfterMinutes'] });
