/**
 * The declarative scraper definition: what a runner needs to scrape one source, validated with zod
 * so that a bad definition is refused with a message naming the field (`fields.price: …`).
 * The server checks it when a scraper is stored (as Scraper.config); the runner checks it again
 * before every run, by these same rules.
 */
import { z } from 'zod';
import { MAX_PRODUCTS_PER_RUN } from './limits.ts';
import { OPTIONAL_FIELDS, type OptionalField } from './product.ts';
import { runnerLabelsSchema } from './runnerLabels.ts';

const url = z.string().refine((value) => {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http or https URL');

/**
 * Where a value is: a string (a CSS selector whose text is read, for HTML; a dotted path such as
 * `pricing.amount`, for JSON), or an object naming the selector and the attribute to read.
 */
const fieldSpec = z.union(
  [
    z.string().min(1, 'must not be empty').max(500),
    z.strictObject({
      selector: z.string().max(500).optional(),
      attr: z.string().min(1).max(100).optional(),
      path: z.string().min(1).max(500).optional(),
    }),
  ],
  { error: 'must be a selector or path string, or an object { selector, attr } or { path }' },
);
export type FieldSpec = z.infer<typeof fieldSpec>;

const fields = z.strictObject({
  sku: fieldSpec,
  name: fieldSpec,
  brand: fieldSpec.optional(),
  category: fieldSpec.optional(),
  price: fieldSpec.optional(),
  thcPercent: fieldSpec.optional(),
  cbdPercent: fieldSpec.optional(),
  url: fieldSpec.optional(),
});

const count = z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be at least 0');
/** An expected number of products: a run can report no more than MAX_PRODUCTS_PER_RUN (and the run stores the figure as an int). */
const productCount = count.max(MAX_PRODUCTS_PER_RUN, `must be at most ${MAX_PRODUCTS_PER_RUN}`);
const percent = z.number({ error: 'must be a number' }).min(0, 'must be at least 0').max(100, 'must be at most 100');

/**
 * Limits a run's products must keep to be published. A run that breaks one ends WARNING with the
 * gate named, and its products are held until an admin approves the run or a later run passes.
 */
const gates = z.strictObject({
  /** At least this many products found. */
  minProducts: productCount.optional(),
  /** Per scraped field: at most this percentage (0..100) of the run's products without it. */
  maxMissingPercent: z.strictObject(Object.fromEntries(OPTIONAL_FIELDS.map((field) => [field, percent.optional()])) as Record<OptionalField, z.ZodOptional<typeof percent>>).optional(),
  /** At most this many of the run's products priced outside their category's fences. */
  maxOutliers: count.optional(),
  /** At most this many of the run's products repeating another product's name and brand. */
  maxDuplicates: count.optional(),
});

const definitionObject = z.strictObject({
  slug: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'may hold lowercase letters, digits and single dashes between them'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  source: z.strictObject({
    name: z.string().min(1).max(200),
    url,
    staleAfterMinutes: z.number().int().min(1).optional(),
    criticalAfterMinutes: z.number().int().min(1).optional(),
  }),
  /** Five-field cron schedule; left out, the scraper runs only when triggered. */
  cron: z.string().max(120).nullish(),
  format: z.enum(['html', 'json'], { error: 'must be html or json' }),
  /** Listing pages to start from (each followed through its pagination)… */
  urls: z.array(url).min(1, 'must list at least one URL').max(100).optional(),
  /** …or a list of SKUs, each fetched from its own URL ({sku} is replaced). */
  skus: z
    .strictObject({
      list: z.array(z.string().min(1).max(256)).max(10_000),
      url: url.refine((u) => u.includes('{sku}'), 'must contain {sku}, where each SKU goes'),
    })
    .optional(),
  /** CSS selector of one product (HTML) or path to the product array or object (JSON; empty = the whole document). */
  items: z.string().max(500).default(''),
  fields,
  pagination: z
    .strictObject({
      next: fieldSpec,
      maxPages: z.number().int().min(1).max(1000).default(20),
    })
    .optional(),
  rateLimit: z
    .strictObject({
      concurrency: z.number().int().min(1).max(32).default(2),
      delayMs: z.number().int().min(0).max(60_000).default(0),
    })
    .default({ concurrency: 2, delayMs: 0 }),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  retries: z.number().int().min(0).max(10).default(2),
  /**
   * How many products a run is expected to find, instead of the figure learned from the scraper's
   * own history. A run finding fewer than minProducts × volumeDropRatio, or none (unless this is 0),
   * ends WARNING with VOLUME_DROP.
   */
  minProducts: productCount.optional(),
  /** Below which share of the expected products a run counts as a volume drop; 0.5 when left out. */
  volumeDropRatio: z.number({ error: 'must be a number' }).gt(0, 'must be more than 0').max(1, 'must be at most 1').optional(),
  gates: gates.optional(),
  /** Labels a runner must hold to take this scraper's runs (a region, a proxy pool); a trigger may ask for others. */
  runnerLabels: runnerLabelsSchema.optional(),
  /**
   * Category aliases beyond the built-in ones: canonical category → the scraped values that mean it
   * (compared without case, accents or repeated spaces, dashes and underscores). The server stores
   * the canonical name as Product.category and the scraped value as rawCategory.
   */
  categoryAliases: z
    .record(
      z.string(),
      z
        .array(z.string().max(100, 'an alias has at most 100 characters').refine((alias) => alias.trim() !== '', 'an alias must not be blank'), {
          error: 'must be a list of the scraped values that mean this category',
        })
        .max(100, 'at most 100 aliases per category'),
      { error: (issue) => (issue.code === 'invalid_type' ? 'must map each category to a list of its aliases, such as { edibles: [gummies, chocolate] }' : undefined) },
    )
    .superRefine((aliases, ctx) => {
      const names = Object.keys(aliases);
      if (names.length > 100) ctx.addIssue({ code: 'custom', message: 'at most 100 categories' });
      for (const name of names) {
        if (name.trim() === '') ctx.addIssue({ code: 'custom', path: [name], message: 'a category name must not be blank' });
        else if (name.length > 100) ctx.addIssue({ code: 'custom', path: [name], message: 'a category name has at most 100 characters' });
      }
    })
    .optional(),
});

type Shape = {
  urls?: unknown;
  skus?: unknown;
  format: 'html' | 'json';
  items: string;
  fields: Partial<Record<OptionalField, unknown>>;
  gates?: { maxMissingPercent?: Partial<Record<OptionalField, unknown>> };
};

function checkWhole(d: Shape, ctx: z.RefinementCtx) {
  if ((d.urls === undefined) === (d.skus === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['urls'], message: 'give either urls (listing pages) or skus (one URL per SKU), not both' });
  }
  if (d.format === 'html' && d.items === '') {
    ctx.addIssue({ code: 'custom', path: ['items'], message: 'an html definition needs the CSS selector of one product' });
  }
  // A field the definition does not scrape is never missing, so a gate on it would never hold anything.
  for (const field of Object.keys(d.gates?.maxMissingPercent ?? {}) as OptionalField[]) {
    if (d.fields[field] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['gates', 'maxMissingPercent', field],
        message: `the definition does not scrape ${field}: add fields.${field} or drop this gate`,
      });
    }
  }
}

const definitionSchema = definitionObject.superRefine(checkWhole);

export type ScraperDefinition = z.infer<typeof definitionSchema>;

export type QualityGates = z.infer<typeof gates>;

/** The optional fields the definition scrapes: the only ones a product of it can be missing. */
export const scrapedFields = (definition: ScraperDefinition): OptionalField[] => OPTIONAL_FIELDS.filter((field) => definition.fields[field] !== undefined);

/**
 * Scraper.config as the API takes it: the definition without the scraper's identity. slug, name and
 * source (and cron) are columns of the scraper row, which is what the runner reads them from (see
 * definitionFromConfig), so a config need not repeat them. They are still allowed, so that the config
 * of a scraper registered from a definition file can be sent back unchanged, but the row wins.
 */
export const scraperConfigSchema = definitionObject
  .partial({ slug: true, name: true, source: true, cron: true })
  .superRefine(checkWhole);

export type ScraperIdentity = { slug: string; name: string; source: { name: string; url: string } };

/** The definition a run executes: the stored config with the identity of the scraper row laid over it. */
export function definitionFromConfig(config: unknown, scraper: ScraperIdentity, where?: string): ScraperDefinition {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return parseDefinition(config, where);
  const stored = config as Record<string, unknown>;
  const storedSource = typeof stored.source === 'object' && stored.source !== null ? (stored.source as Record<string, unknown>) : {};
  return parseDefinition(
    { ...stored, slug: scraper.slug, name: scraper.name, source: { ...storedSource, name: scraper.source.name, url: scraper.source.url } },
    where,
  );
}

export class DefinitionError extends Error {
  readonly issues: Array<{ path: string; message: string }>;

  constructor(
    issues: Array<{ path: string; message: string }>,
    where?: string,
  ) {
    super(`${where ? `${where}: ` : ''}${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.issues = issues;
    this.name = 'DefinitionError';
  }
}

/** Validates a definition; throws a DefinitionError whose message names every bad field. */
export function parseDefinition(value: unknown, where?: string): ScraperDefinition {
  const parsed = definitionSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new DefinitionError(
    parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') + (issue.code === 'unrecognized_keys' ? `${issue.path.length ? '.' : ''}${issue.keys.join(', ')}` : ''),
      message: issue.message,
    })),
    where,
  );
}
