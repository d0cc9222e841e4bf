/** The ways a scraper operation can fail that a caller can act on. */
import { builder } from '../graphql/builder.ts';
import { ErrorInterface } from '../graphql/errors.ts';

export class SlugTakenError extends Error {
  readonly slug: string;

  constructor(slug: string) {
    super(`A scraper with slug ${slug} exists already`);
    this.slug = slug;
    this.name = 'SlugTakenError';
  }
}

builder.objectType(SlugTakenError, {
  name: 'SlugTakenError',
  description: 'Scraper slugs are unique; nothing was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ slug: t.exposeString('slug') }),
});
