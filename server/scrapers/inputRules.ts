/** The zod rules for scraper input: slug, schedule, time zone and the size and shape of a definition. */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { scraperConfigSchema } from '../../scrapers/definitions/schema.ts';

export const MAX_CONFIG_BYTES = 256 * 1024;

export const slug = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'may hold lowercase letters, digits and single dashes between them');

/** Five fields (minute hour day-of-month month day-of-week): cron-parser would also take seconds or macros. */
export const cron = z
  .string()
  .max(120, 'must be at most 120 characters')
  .refine((value) => {
    if (value.trim().split(/\s+/).length !== 5) return false;
    try {
      CronExpressionParser.parse(value, { tz: 'UTC' }).next();
      return true;
    } catch {
      return false;
    }
  }, 'must be a cron expression of 5 fields: minute hour day-of-month month day-of-week');

const CANONICAL_ZONES = new Set(Intl.supportedValuesOf('timeZone'));

/** IANA names only: Intl also accepts offsets such as +01:00, which do not follow daylight saving time. */
export function isTimeZone(value: string): boolean {
  if (CANONICAL_ZONES.has(value)) return true;
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const timezone = z.string().max(64, 'must be at most 64 characters').refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC');

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const config = z
  .unknown()
  .refine(isPlainObject, { message: 'must be a JSON object', abort: true })
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value), 'utf8') <= MAX_CONFIG_BYTES,
    { message: `must be at most ${MAX_CONFIG_BYTES / 1024} KiB as JSON`, abort: true },
  )
  // The definition the runner executes, checked here so that a bad one is refused with the field it
  // names (input.config.fields.price) instead of failing its first run.
  .pipe(scraperConfigSchema);

export const maxRetries = z.number().int().min(0, 'must be at least 0').max(10, 'must be at most 10');
