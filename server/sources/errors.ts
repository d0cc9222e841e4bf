/** The ways making a source can fail that a caller can act on. */
import { builder } from '../graphql/builder.ts';
import { ErrorInterface } from '../graphql/errors.ts';

export class SourceNameTakenError extends Error {
  readonly sourceName: string;

  constructor(sourceName: string) {
    super(`A source named ${sourceName} exists already; pass its sourceId to use it`);
    this.sourceName = sourceName;
    this.name = 'SourceNameTakenError';
  }
}

builder.objectType(SourceNameTakenError, {
  name: 'SourceNameTakenError',
  description: 'Source names are unique; nothing was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('sourceName') }),
});
