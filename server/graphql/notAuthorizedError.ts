/**
 * The refusal scope-auth answers with: a GraphQL error whose extensions.code tells clients to ask
 * for other credentials. It must be a GraphQLError: Yoga masks every other error as INTERNAL_SERVER_ERROR.
 */
import { GraphQLError } from 'graphql';

export class NotAuthorizedError extends GraphQLError {
  constructor(message: string) {
    super(message || 'Not authorized', { extensions: { code: 'FORBIDDEN' } });
    this.name = 'NotAuthorizedError';
  }
}
