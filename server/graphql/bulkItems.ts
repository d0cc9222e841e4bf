/**
 * The GraphQL side of operations on many ids at once: the limit on how many, reading each id on its
 * own (one that is malformed is that item's NotFoundError, not the call's), and the per-item answer.
 */
import { brandWithType } from '@pothos/core';
import { z } from 'zod';
import { NotFoundError } from '../domainErrors.ts';
import type { ItemOutcome } from '../eachItem.ts';
import { parseId } from './ids.ts';

export const MAX_BULK_IDS = 100;

/** More ids than MAX_BULK_IDS is a ValidationError, before any of them is acted on. */
export const bulkIdsRule = z
  .array(z.unknown())
  .min(1, 'name at least one id')
  .max(MAX_BULK_IDS, `at most ${MAX_BULK_IDS} ids at once`);

/** One item of the answer: the id as asked, what was done (a row id) or the typed reason it was not. */
export type BulkItem = { id: string; doneId: number | null; error: Error | null };

export type BulkResult = { items: BulkItem[]; succeeded: number; failed: number };

/**
 * Reads the ids, hands the well-formed ones (each once, in the order first asked) to `act`, and
 * answers one item per distinct id asked, in that order: an id named twice is acted on and answered once.
 */
export async function actOnEach<T>(
  ids: readonly string[],
  entity: string,
  act: (ids: number[]) => Promise<Map<number, ItemOutcome<T>>>,
  doneId: (done: T) => number,
): Promise<BulkResult> {
  const asked = [...new Set(ids)].map((id) => {
    try {
      return { id, parsed: parseId(id, entity) };
    } catch (error) {
      if (error instanceof NotFoundError) return { id, parsed: error };
      throw error;
    }
  });
  const outcomes = await act(asked.flatMap(({ parsed }) => (typeof parsed === 'number' ? [parsed] : [])));
  const items = asked.map(({ id, parsed }): BulkItem => {
    if (typeof parsed !== 'number') return { id, doneId: null, error: parsed };
    const outcome = outcomes.get(parsed)!;
    return outcome.failed ? { id, doneId: null, error: outcome.failed } : { id, doneId: doneId(outcome.done as T), error: null };
  });
  const failed = items.filter((item) => item.error).length;
  return { items, succeeded: items.length - failed, failed };
}

/**
 * An item's error as the value of its `error` field. graphql-js takes an Error returned by a resolver
 * for the field's own failure, so the field gets a copy of it (its fields and message), branded with
 * its class so that the Error interface resolves to the error's schema type.
 */
export function errorValue(error: Error | null): Error | null {
  if (!error) return null;
  const value = { ...error, name: error.name, message: error.message };
  brandWithType(value, error.constructor as Parameters<typeof brandWithType>[1]);
  return value;
}
