/**
 * The cost of a request's GraphQL document, bounded before it is parsed: a document (the query
 * text, not its variables) larger than MAX_DOCUMENT_BYTES is refused with HTTP 413 and code
 * DOCUMENT_TOO_LARGE, over HTTP and graphql-ws alike. Comments and whitespace are no tokens, so the
 * token limit alone let a few megabytes of comment through to the parser and its cache.
 */
import { GraphQLError } from 'graphql';

/**
 * Every document of the admin and the runner is a few KB; appendLogs' lines travel in the
 * variables, which this limit does not count.
 */
export const MAX_DOCUMENT_BYTES = 100 * 1024;

const DOCUMENT_TOO_LARGE = 'DOCUMENT_TOO_LARGE';

export class DocumentTooLargeError extends GraphQLError {
  constructor() {
    super(`The GraphQL document is larger than ${MAX_DOCUMENT_BYTES} bytes; send values as variables`, {
      extensions: { code: DOCUMENT_TOO_LARGE, limit: MAX_DOCUMENT_BYTES, http: { status: 413 } },
    });
    this.name = 'DocumentTooLargeError';
  }
}

/** Whether a query text is over the limit, counting UTF-8 bytes only where the length leaves it open. */
export function isDocumentTooLarge(query: unknown): boolean {
  if (typeof query !== 'string') return false;
  // A UTF-16 unit is one to three bytes of UTF-8.
  if (query.length > MAX_DOCUMENT_BYTES) return true;
  if (query.length * 3 <= MAX_DOCUMENT_BYTES) return false;
  return Buffer.byteLength(query, 'utf8') > MAX_DOCUMENT_BYTES;
}

/** Yoga plugin: refuses an oversized document when the request's parameters are read, before any parse or cache lookup. */
export function useDocumentSizeLimit() {
  return {
    onParams({ params }: { params: { query?: unknown } }) {
      if (isDocumentTooLarge(params.query)) throw new DocumentTooLargeError();
    },
  };
}
