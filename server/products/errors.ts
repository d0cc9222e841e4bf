/** The ways reporting products can fail that a caller can act on. */
import { OversizeBatchError } from '../domainErrors.ts';
import { MAX_PRODUCTS_PER_BATCH } from '../../contract/limits.ts';

export class TooManyProductsError extends OversizeBatchError {
  constructor(received: number) {
    super('TooManyProductsError', 'products', MAX_PRODUCTS_PER_BATCH, received);
  }
}
