/** The ways a scraper operation can fail that a caller can act on. */
export class SlugTakenError extends Error {
  readonly slug: string;

  constructor(slug: string) {
    super(`A scraper with slug ${slug} exists already`);
    this.slug = slug;
    this.name = 'SlugTakenError';
  }
}
