/**
 * Failures of domain operations that several domains share (each domain's own are in its
 * errors.ts). Plain errors: the GraphQL layer decides how a client sees them.
 */

/** The thing an operation names does not exist, or is not visible to the caller. */
export class NotFoundError extends Error {
  readonly entity: string;
  readonly id: string;

  constructor(entity: string, id: string) {
    super(`${entity} ${id} does not exist`);
    this.entity = entity;
    this.id = id;
    this.name = 'NotFoundError';
  }
}

/**
 * A runner's batch over its operation's limit, refused whole. Each operation has its own error
 * (BatchTooLargeError, TooManyProductsError); they share this shape and message.
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
