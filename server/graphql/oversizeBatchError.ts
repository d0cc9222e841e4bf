/**
 * A runner's batch over its mutation's limit, refused whole. Each mutation has its own error type in
 * the schema (BatchTooLargeError, TooManyProductsError); they share this shape and message.
 */
export abstract class OversizeBatchError extends Error {
  readonly limit: number;
  readonly received: number;

  constructor(name: string, items: string, limit: number, received: number) {
    super(`A batch holds at most ${limit} ${items}; this one has ${received}. Split it.`);
    this.limit = limit;
    this.received = received;
    this.name = name;
  }
}
