/**
 * Domain failures that reach `errors` rather than a result union (an unknown id in a query, a
 * subscription's stream that ends in failure, a query's invalid arguments) become GraphQL errors with a code a client can act on;
 * Yoga would mask them as unexpected otherwise. Listed before the plugins that count and log
 * errors, which then see the code.
 */
import { InputValidationError } from '@pothos/plugin-validation';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { NotFoundError } from '../../domainErrors.ts';
import { SubscriberTooSlowError } from '../../logs/errors.ts';
import { RunnerLabelsNotGrantedError } from '../../runners/errors.ts';

function extensionsFor(error: unknown): Record<string, unknown> | null {
  if (error instanceof NotFoundError) return { code: 'NOT_FOUND' };
  // A query field has no result union for it: the same issues a ValidationError carries go in extensions.
  if (error instanceof InputValidationError) {
    return {
      code: 'BAD_USER_INPUT',
      issues: error.issues.map((issue) => ({
        path: (issue.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.'),
        message: issue.message,
      })),
    };
  }
  // A subscription has no result union: what claimRun answers as RunnerLabelsNotGrantedError.
  if (error instanceof RunnerLabelsNotGrantedError) return { code: 'RUNNER_LABELS_NOT_GRANTED', labels: error.labels };
  if (error instanceof SubscriberTooSlowError) return { code: 'SUBSCRIBER_TOO_SLOW', resumeAfterSeq: error.resumeAfterSeq };
  return null;
}

/** The error as a client should see it: with its code, where it is a domain failure that has one. */
function withCode(error: unknown): unknown {
  const located = error instanceof GraphQLError ? error : null;
  const original = located ? located.originalError : error;
  const extensions = extensionsFor(original);
  if (!extensions) return error;
  // No originalError: the error is now what the client may see, which masking then leaves as it is.
  return new GraphQLError((original as Error).message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions,
  });
}

type ResultPayload = { result: ExecutionResult | AsyncIterable<unknown>; setResult: (result: ExecutionResult) => void };

function codeErrors({ result, setResult }: ResultPayload): void {
  // Streams end in failure by throwing, which onSubscribeError sees; their events are left alone.
  if (Symbol.asyncIterator in result || !result.errors) return;
  if (result.errors.some((error) => extensionsFor(error.originalError))) {
    setResult({ ...result, errors: result.errors.map((error) => withCode(error) as GraphQLError) });
  }
}

const onExecuteHooks = { onExecuteDone: codeErrors };
const onSubscribeHooks = {
  onSubscribeResult: codeErrors,
  onSubscribeError: ({ error, setError }: { error: unknown; setError: (error: unknown) => void }) => setError(withCode(error)),
};

/** An envelop plugin; over graphql-ws too, since websocket operations go through Yoga's envelop. */
export function useErrorCodes() {
  return {
    onExecute: () => onExecuteHooks,
    onSubscribe: () => onSubscribeHooks,
  };
}
