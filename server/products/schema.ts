/** Products: the Product type and reportProducts, through which runners store what they scraped. */
import { queryFromInfo } from '@pothos/plugin-prisma';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { z } from 'zod';
import { builder } from '../graphql/builder.ts';
import { batchIdRule } from '../../contract/batchId.ts';
import { callingRunnerId } from '../graphql/context.ts';
import { ErrorInterface, MUTATION_ERRORS } from '../graphql/errors.ts';
import { parseId } from '../graphql/ids.ts';
import { RunStateError } from '../runs/errors.ts';
import '../sources/schema.ts';
import {
  MAX_LABEL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PRICE,
  MAX_PRODUCTS_PER_BATCH,
  MAX_SKU_LENGTH,
  MAX_URL_LENGTH,
} from '../../contract/limits.ts';
import { TooManyProductsError } from './errors.ts';
import { reportProducts } from './reportProducts.ts';
import type { ProductFilter } from './productFilter.ts';
import { readProductPage } from './readProductPage.ts';
import { countProducts, EXACT_COUNT_LIMIT, type ProductCount } from './sql/countProducts.ts';
import { ProductChangeKind } from '../db/generated/prisma/enums.ts';
import '../runs/schema.ts';

const MAX_HISTORY = 200;
const MAX_PAGE_SIZE = 200;

// A page larger than the limit is refused rather than silently cut short.
const pageSizeRule = z.looseObject({
  first: z.number().int().min(0).max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`).nullish(),
  last: z.number().int().min(0).max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`).nullish(),
});

const ProductChangeKindEnum = builder.enumType(ProductChangeKind, {
  name: 'ProductChangeKind',
  description: 'Why a history entry was recorded: a product is recorded when first seen, when its price or THC/CBD changed, when it was gone and when it came back.',
});

builder.prismaObject('ProductChange', {
  description: "One entry of a product's history: what a run saw when it differed from what the run before saw. A run that saw the same values records nothing.",
  fields: (t) => ({
    kind: t.expose('kind', { type: ProductChangeKindEnum }),
    run: t.relation('run', { nullable: true, description: 'The run that saw it (null once that run is deleted).' }),
    seenAt: t.expose('seenAt', { type: 'DateTime' }),
    price: t.exposeFloat('price', { nullable: true }),
    thcPercent: t.exposeFloat('thcPercent', { nullable: true }),
    cbdPercent: t.exposeFloat('cbdPercent', { nullable: true }),
    available: t.boolean({ description: 'false for GONE: the run no longer listed the product.', resolve: (change) => change.kind !== 'GONE' }),
  }),
});

export const ProductRef = builder.prismaObject('Product', {
  description:
    'A product of a source as last scraped; (source, sku) identifies it. Read through products(filter: { published: true }), ' +
    'its name, brand, category, price, thcPercent, cbdPercent, url, scrapedAt and lastSeenAt are those of its last published run; ' +
    'its other fields are the same in every read.',
  fields: (t) => ({
    id: t.exposeID('id'),
    source: t.relation('source'),
    sku: t.exposeString('sku'),
    name: t.exposeString('name'),
    brand: t.exposeString('brand', { nullable: true }),
    category: t.exposeString('category', {
      nullable: true,
      description:
        'The normalised category: lower case, with aliases mapped to one name ("Edible", "EDIBLES" → "edibles"), by built-in aliases ' +
        "and the scraper definition's categoryAliases. rawCategory holds the value as scraped.",
    }),
    rawCategory: t.exposeString('rawCategory', { nullable: true, description: 'The category as scraped, before normalisation.' }),
    price: t.exposeFloat('price', { nullable: true }),
    thcPercent: t.exposeFloat('thcPercent', { nullable: true }),
    cbdPercent: t.exposeFloat('cbdPercent', { nullable: true }),
    url: t.exposeString('url', { nullable: true }),
    scrapedAt: t.expose('scrapedAt', { type: 'DateTime', description: 'When a run last saw the product (the same as lastSeenAt).' }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('scrapedAt', { type: 'DateTime', description: 'When a run last saw the product.' }),
    goneAt: t.expose('goneAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a complete SUCCESS run of its scraper no longer listed it; null while it is listed (cleared when seen again).',
    }),
    goneRun: t.relation('goneRun', { nullable: true, description: 'The run that no longer listed it.' }),
    run: t.relation('run', { nullable: true, description: 'The run that last stored this product.' }),
    published: t.boolean({
      description: 'Whether its values as of a published run exist (runs held by a quality gate publish nothing).',
      select: { published: { select: { productId: true } } },
      resolve: (product) => product.published !== null,
    }),
    flagged: t.boolean({
      description: 'Whether it has a PENDING flag.',
      select: { flags: { where: { status: 'PENDING' }, select: { id: true }, take: 1 } },
      resolve: (product) => product.flags.length > 0,
    }),
    history: t.relation('changes', {
      description: `What runs saw of it, newest first: one entry per change (at most ${MAX_HISTORY} asked at once).`,
      args: { first: t.arg.int({ required: false, defaultValue: 50, validate: z.number().int().min(0).max(MAX_HISTORY).nullish() }) },
      query: ({ first }) => ({ orderBy: [{ seenAt: 'desc' }, { id: 'desc' }], take: first ?? 50 }),
    }),
  }),
});

// The filter and sort inputs are shared with the products export, so that both take the same arguments.
const MAX_SEARCH_LENGTH = 200;

export const ProductFilterInput = builder.inputType('ProductFilter', {
  description: 'Which products to select; every field given must hold (AND). Leave a field out to not filter by it.',
  fields: (t) => ({
    sourceId: t.id({ required: false }),
    scraperId: t.id({ required: false, description: 'Products last seen by this scraper.' }),
    category: t.string({
      required: false,
      description: 'The normalised category; the value given is normalised the same way first, so "Edible" and "EDIBLES" both select edibles.',
      validate: z.string().max(MAX_SEARCH_LENGTH, `at most ${MAX_SEARCH_LENGTH} characters`).nullish(),
    }),
    flagged: t.boolean({ required: false, description: 'true: products with a PENDING flag; false: products without one.' }),
    published: t.boolean({
      required: false,
      description:
        'true: products a published run delivered, each with the values of its last published run (name, brand, category, price, ' +
        'thcPercent, cbdPercent, url, scrapedAt, lastSeenAt) instead of any stored since by a run that was not published (held by a ' +
        'gate, failed, or still running); the other filters, search and the sort still apply to the values stored last. ' +
        'false: products no run has published yet. Left out: every product, with the values stored last.',
    }),
    gone: t.boolean({
      required: false,
      description: 'true: products a complete SUCCESS run of their scraper no longer listed; false: products still listed; null: both.',
    }),
    search: t.string({
      required: false,
      description:
        'Matches name, brand and SKU anywhere in them, case- and accent-insensitively ("creme" finds "Crème"). ' +
        `At most ${MAX_SEARCH_LENGTH} characters. Served by a trigram index (product_search_text_idx).`,
      validate: z.string().max(MAX_SEARCH_LENGTH, `at most ${MAX_SEARCH_LENGTH} characters`).nullish(),
    }),
  }),
});

export const ProductSortEnum = builder.enumType('ProductSort', {
  description: 'What the products list is ordered by; ties are broken by id.',
  values: {
    NAME: { description: 'The product name.' },
    PRICE: { description: 'The price; products without one come last in either direction.' },
    LAST_SEEN: { description: 'When a run last saw the product (lastSeenAt).' },
  } as const,
});

export const SortDirectionEnum = builder.enumType('SortDirection', {
  values: { ASC: { description: 'Smallest, earliest or A first.' }, DESC: { description: 'Largest, latest or Z first.' } } as const,
});

type FilterArgs = {
  sourceId?: string | number | null;
  scraperId?: string | number | null;
  category?: string | null;
  flagged?: boolean | null;
  published?: boolean | null;
  gone?: boolean | null;
  search?: string | null;
};

/** The plain filter of the GraphQL input; an id that names nothing is a NotFoundError. */
export function toProductFilter(input: FilterArgs | null | undefined): ProductFilter {
  return {
    sourceId: input?.sourceId != null ? parseId(input.sourceId, 'Source') : null,
    scraperId: input?.scraperId != null ? parseId(input.scraperId, 'Scraper') : null,
    category: input?.category ?? null,
    flagged: input?.flagged ?? null,
    published: input?.published ?? null,
    gone: input?.gone ?? null,
    search: input?.search ?? null,
  };
}

/** A page of products, with its count read only when asked for (and then once for both count fields). */
type CountedPage = { count: () => Promise<ProductCount> };

const memo = <T>(read: () => Promise<T>) => {
  let promise: Promise<T> | null = null;
  return () => (promise ??= read());
};

builder.queryFields((t) => ({
  products: t.connection(
    {
      type: ProductRef,
      description:
        'Products, filtered and sorted (ties broken by id); cursors are opaque and belong to the sort they were made with. ' +
        `first and last take at most ${MAX_PAGE_SIZE}. Read by viewers and admins.`,
      authScopes: { viewer: true },
      args: {
        filter: t.arg({ type: ProductFilterInput, required: false }),
        sort: t.arg({ type: ProductSortEnum, required: false, defaultValue: 'NAME' }),
        direction: t.arg({ type: SortDirectionEnum, required: false, defaultValue: 'ASC' }),
      },
      validate: pageSizeRule,
      resolve: async (_root, args, ctx, info) => {
        const filter = toProductFilter(args.filter);
        const sort = args.sort ?? 'NAME';
        const cursors = new Map<object, string>();
        const query = queryFromInfo({ context: ctx, info, path: ['edges', 'node'] });
        let matches: number | null = null;
        let moreThan: number | null = null;
        const connection = await resolveCursorConnection(
          { args, toCursor: (product: object) => cursors.get(product)!, defaultSize: 50, maxSize: MAX_PAGE_SIZE },
          async (page: ResolveCursorConnectionArgs) => {
            const read = await readProductPage(ctx.db.pool, { filter, sort, direction: args.direction ?? 'ASC', page }, (ids) =>
              ctx.db.prisma.product.findMany({ ...query, where: { id: { in: ids } } }),
            );
            matches = read.matches;
            moreThan = read.moreThan;
            for (const row of read.products) cursors.set(row.product, row.cursor);
            return read.products.map((row) => row.product);
          },
        );
        // A search that counted its matches while reading the page needs no second count, nor one that found more than a count walks.
        const known = matches as number | null;
        const atLeast = moreThan as number | null;
        const counted: CountedPage = {
          count: memo(async () => (known !== null ? { totalCount: known, exact: true } : countProducts(ctx.db.pool, filter, atLeast))),
        };
        return Object.assign(connection, counted);
      },
    },
    {
      fields: (c) => ({
        totalCount: c.int({
          description:
            `How many products the filter selects: exact up to ${EXACT_COUNT_LIMIT}, beyond that the query planner's estimate ` +
            '(totalCountExact tells which).',
          resolve: async (connection) => (await (connection as unknown as CountedPage).count()).totalCount,
        }),
        totalCountExact: c.boolean({
          description: `false when totalCount is the planner's estimate (the filter selects more than ${EXACT_COUNT_LIMIT} products).`,
          resolve: async (connection) => (await (connection as unknown as CountedPage).count()).exact,
        }),
      }),
    },
  ),
  product: t.prismaField({
    type: 'Product',
    nullable: true,
    description: 'One product with its history; null when no product has this id.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => ctx.db.prisma.product.findUnique({ ...query, where: { id: parseId(id, 'Product') } }),
  }),
}));

// PostgreSQL text cannot hold U+0000; such a value is refused rather than silently changed.
const text = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' });
const optionalText = (max: number) => text(max).nullish();
const percent = z.number().min(0, 'a percentage lies in 0..100').max(100, 'a percentage lies in 0..100').nullish();

const ProductInput = builder.inputType('ProductInput', {
  description: 'One scraped product. Missing values are sent as null and stored as missing.',
  fields: (t) => ({
    sku: t.string({ required: true, validate: text(MAX_SKU_LENGTH).refine((s) => s.trim().length > 0, 'sku must not be blank') }),
    name: t.string({ required: true, validate: text(MAX_NAME_LENGTH) }),
    brand: t.string({ required: false, validate: optionalText(MAX_LABEL_LENGTH) }),
    category: t.string({ required: false, validate: optionalText(MAX_LABEL_LENGTH) }),
    price: t.float({ required: false, validate: z.number().min(0).max(MAX_PRICE).nullish() }),
    thcPercent: t.float({ required: false, validate: percent }),
    cbdPercent: t.float({ required: false, validate: percent }),
    url: t.string({ required: false, validate: optionalText(MAX_URL_LENGTH) }),
  }),
});

builder.objectType(TooManyProductsError, {
  name: 'TooManyProductsError',
  description: `A batch holds at most ${MAX_PRODUCTS_PER_BATCH} products; nothing of it was stored.`,
  interfaces: [ErrorInterface],
  fields: (t) => ({ limit: t.exposeInt('limit'), received: t.exposeInt('received') }),
});

const ReportProductsResult = builder
  .objectRef<{ received: number; stored: number; flagsCreated: number; duplicate: boolean }>('ReportProductsResult')
  .implement({
    fields: (t) => ({
      received: t.exposeInt('received', { description: 'Products in the batch.' }),
      stored: t.exposeInt('stored', { description: 'Products inserted or updated (a sku sent twice in one batch counts once).' }),
      flagsCreated: t.exposeInt('flagsCreated', { description: 'Flags this batch raised; a product keeps at most one flag per kind.' }),
      duplicate: t.exposeBoolean('duplicate', { description: 'True when this batchId was stored before: the counts are the first answer.' }),
    }),
  });

builder.mutationFields((t) => ({
  reportProducts: t.field({
    type: ReportProductsResult,
    description:
      "Stores scraped products of a running run (upserted per source and sku) and raises flags for them. " +
      'Retrying with the same batchId stores nothing twice and returns the first answer.',
    authScopes: { runner: true },
    errors: { types: [...MUTATION_ERRORS, TooManyProductsError, RunStateError] },
    args: {
      jobId: t.arg.id({ required: true }),
      batchId: t.arg.string({
        required: true,
        validate: batchIdRule,
      }),
      products: t.arg({
        type: [ProductInput],
        required: true,
        // The count is checked after shape, so that an oversize batch gets its own error type.
        validate: z.array(z.unknown()).min(1, 'a batch holds at least one product'),
      }),
    },
    resolve: async (_root, { jobId, batchId, products }, ctx) => {
      const stored = await reportProducts(ctx.db, callingRunnerId(ctx), {
        runId: parseId(jobId, 'Run'),
        batchId,
        products: products.map((p) => ({
          sku: p.sku,
          name: p.name,
          brand: p.brand ?? null,
          category: p.category ?? null,
          price: p.price ?? null,
          thcPercent: p.thcPercent ?? null,
          cbdPercent: p.cbdPercent ?? null,
          url: p.url ?? null,
        })),
      });
      if (stored.flagsCreated > 0 && !stored.duplicate) ctx.flagEvents.announce();
      return stored;
    },
  }),
}));
