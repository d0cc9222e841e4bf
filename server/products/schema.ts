/** Products: the Product type and reportProducts, through which runners store what they scraped. */
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

export const ProductRef = builder.prismaObject('Product', {
  description: 'A product of a source as last scraped; (source, sku) identifies it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    source: t.relation('source'),
    sku: t.exposeString('sku'),
    name: t.exposeString('name'),
    brand: t.exposeString('brand', { nullable: true }),
    category: t.exposeString('category', { nullable: true }),
    price: t.exposeFloat('price', { nullable: true }),
    thcPercent: t.exposeFloat('thcPercent', { nullable: true }),
    cbdPercent: t.exposeFloat('cbdPercent', { nullable: true }),
    url: t.exposeString('url', { nullable: true }),
    scrapedAt: t.expose('scrapedAt', { type: 'DateTime' }),
    run: t.relation('run', { nullable: true, description: 'The run that last stored this product.' }),
  }),
});

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
    resolve: (_root, { jobId, batchId, products }, ctx) =>
      reportProducts(ctx.db, callingRunnerId(ctx), {
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
      }),
  }),
}));
