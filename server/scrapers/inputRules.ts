/**
 * The zod rules for scraper input: slug, schedule, time zone and the size and shape of a definition,
 * and each input as a whole, so that every problem of an input is reported at once.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { scraperConfigSchema } from '../../contract/definitionSchema.ts';
import { displayName, newSource } from '../sources/inputRules.ts';
import { isStorableText } from '../db/storableText.ts';
import { cronProblem } from '../scheduler/cronExpression.ts';

const MAX_CONFIG_BYTES = 256 * 1024;

const slug = z
  .string()
  .min(2, 'must be at least 2 characters')
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'may hold lowercase letters, digits and single dashes between them');

/** Five fields (minute hour day-of-month month day-of-week) or a macro the scheduler runs, that fires at all. */
export const cron = z
  .string()
  .max(120, 'must be at most 120 characters')
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const CANONICAL_ZONES = new Set(Intl.supportedValuesOf('timeZone'));

/** IANA names only: Intl also accepts offsets such as +01:00, which do not follow daylight saving time. */
function isTimeZone(value: string): boolean {
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

/** A definition sent as text is YAML (of which JSON is a subset), as definition files are. */
const fromText = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'string') {
    const problem = shapeProblem(value);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem, fatal: true });
      return z.NEVER;
    }
    return value;
  }
  if (Buffer.byteLength(value, 'utf8') > MAX_CONFIG_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_CONFIG_BYTES / 1024} KiB`, fatal: true });
    return z.NEVER;
  }
  let parsed: unknown;
  try {
    // Aliases are counted: a few lines of YAML must not expand into gigabytes.
    parsed = parseYaml(value, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    const reason = error instanceof RangeError ? 'it is nested too deeply' : (error as Error).message.split('\n')[0];
    ctx.addIssue({ code: 'custom', message: `is not valid YAML or JSON: ${reason}`, fatal: true });
    return z.NEVER;
  }
  const problem = shapeProblem(parsed);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem, fatal: true });
    return z.NEVER;
  }
  return parsed;
});

/** As deep as a definition is ever nested, many times over (a request body is bounded the same). */
const MAX_DEPTH = 64;

const UNSTORABLE = 'holds the NUL character (U+0000) or half of a surrogate pair, which cannot be stored';

/**
 * What no definition is: a structure that contains itself (a YAML alias cycle), one nested past
 * MAX_DEPTH, or one with a string (or key) PostgreSQL cannot store.
 */
function shapeProblem(value: unknown): string | null {
  const open = new Set<object>();
  const walk = (node: unknown, depth: number): string | null => {
    if (typeof node === 'string') return isStorableText(node) ? null : UNSTORABLE;
    if (node === null || typeof node !== 'object') return null;
    if (depth > MAX_DEPTH) return `is nested deeper than ${MAX_DEPTH} levels`;
    if (open.has(node)) return 'contains itself (a YAML alias to one of its own parents)';
    open.add(node);
    for (const [key, child] of Object.entries(node)) {
      const problem = isStorableText(key) ? walk(child, depth + 1) : UNSTORABLE;
      if (problem) return problem;
    }
    open.delete(node);
    return null;
  };
  return walk(value, 0);
}

const config = fromText
  .refine(isPlainObject, { message: 'must be a JSON object, or YAML or JSON text of a mapping', abort: true })
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value), 'utf8') <= MAX_CONFIG_BYTES,
    { message: `must be at most ${MAX_CONFIG_BYTES / 1024} KiB as JSON`, abort: true },
  )
  // The definition the runner executes, checked here so that a bad one is refused with the field it
  // names (input.config.fields.price) instead of failing its first run.
  .pipe(scraperConfigSchema);

const maxRetries = z.number().int().min(0, 'must be at least 0').max(10, 'must be at most 10');

const missedRunPolicy = z.enum(['RUN_ONCE', 'SKIP']);
/** An id as GraphQL carries it; whether it names a row is the operation's to say. */
const id = z.union([z.string(), z.number()]);

/** Where a new scraper's source comes from; checked beside the fields, so that it is reported whatever they hold. */
const oneSource = z
  .object({ source: z.unknown().optional(), sourceId: z.unknown().optional() })
  .refine((input) => (input.source == null) !== (input.sourceId == null), { message: 'give either source or sourceId, not both', path: ['source'] })
  // Adds nothing to the input: its fields are the other side's to shape.
  .transform(() => ({}));

/** createScraper's input: every field's rules and the rule across fields, all at once. */
export const createScraperInput = z.intersection(
  z.looseObject({
    slug,
    name: displayName(200),
    source: newSource.nullish(),
    sourceId: id.nullish(),
    cron: cron.nullish(),
    timezone: timezone.nullish(),
    config,
    maxRetries: maxRetries.nullish(),
    missedRunPolicy: missedRunPolicy.nullish(),
  }),
  oneSource,
);

/** A field of a change that may be left out (it keeps its value) but not set to null. */
const keepable = <T extends z.ZodType>(rule: T) =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === null) ctx.addIssue({ code: 'custom', message: 'must not be null; leave it out to keep it', fatal: true });
    })
    .pipe(rule.optional())
    .optional();

/** updateScraper's input: the fields given, each by its rules; only cron may be null (no schedule). */
export const updateScraperInput = z.looseObject({
  slug: keepable(slug),
  name: keepable(displayName(200)),
  sourceId: keepable(id),
  cron: cron.nullish(),
  timezone: keepable(timezone),
  enabled: keepable(z.boolean()),
  config: keepable(config),
  maxRetries: keepable(maxRetries),
  missedRunPolicy: keepable(missedRunPolicy),
});
