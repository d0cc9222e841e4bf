/** Database ids travel as GraphQL IDs (strings); this turns one back into a row id. */
import { NotFoundError } from '../domainErrors.ts';

export function parseId(value: string | number, entity: string): number {
  const id = typeof value === 'number' ? value : /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new NotFoundError(entity, String(value));
  return id;
}
