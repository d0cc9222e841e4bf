/**
 * Errors as graphql-ws sends them: what an error asks of an HTTP response (its status, Retry-After)
 * means nothing on a websocket, and is left out.
 */
import { GraphQLError } from 'graphql';

export function withoutHttpDetails(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => {
    if (!error.extensions?.http) return error;
    const { http: _http, ...extensions } = error.extensions;
    return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
  });
}
