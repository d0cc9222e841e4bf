/**
 * Yoga's error masking, with an outage of the database (503, retry) and values the database refused
 * (BAD_USER_INPUT) told apart from every other unexpected error, which stays masked.
 */
import { GraphQLError } from 'graphql';
import { maskError as maskUnexpected } from 'graphql-yoga';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '../http/databaseUnavailable.ts';
import { RefusedInputError, refusedInput } from './refusedInput.ts';

export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  if (!(error instanceof DatabaseUnavailableError) && isDatabaseUnavailable(error)) return new DatabaseUnavailableError();
  const refusal = refusedInput(error);
  if (refusal) return new RefusedInputError(refusal, error instanceof GraphQLError ? error.path : undefined);
  return maskUnexpected(error, message, isDev);
}
