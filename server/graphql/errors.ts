/**
 * Failures a client can act on, as schema types: every one implements the `Error` interface and
 * is returned inside a field's result union instead of a bare message in `errors` (where no union
 * takes one, errorCodes.ts gives it a code instead).
 */
import { InputValidationError } from '@pothos/plugin-validation';
import { NotFoundError } from '../domainErrors.ts';
import { builder } from './builder.ts';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'Implemented by every failure that a client can act on.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The thing the operation names does not exist (or is not visible to the caller).',
  interfaces: [ErrorInterface],
  fields: (t) => ({ entity: t.exposeString('entity'), id: t.exposeID('id') }),
});

type Issue = { path: string; message: string };

const IssueRef = builder.objectRef<Issue>('ValidationIssue').implement({
  description: 'One problem with the input: where it is (a dotted path into the arguments) and what is wrong.',
  fields: (t) => ({ path: t.exposeString('path'), message: t.exposeString('message') }),
});

builder.objectType(InputValidationError, {
  name: 'ValidationError',
  description: 'The input has the wrong size or shape; nothing of it was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({
      type: [IssueRef],
      resolve: (error) =>
        error.issues.map((issue) => ({
          path: (issue.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.'),
          message: issue.message,
        })),
    }),
  }),
});

/** The error types every mutation can return besides its own. */
export const MUTATION_ERRORS = [InputValidationError, NotFoundError] as const;
