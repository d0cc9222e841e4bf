/** The ways making a source can fail that a caller can act on. */
export class SourceNameTakenError extends Error {
  readonly sourceName: string;

  constructor(sourceName: string) {
    super(`A source named ${sourceName} exists already; pass its sourceId to use it`);
    this.sourceName = sourceName;
    this.name = 'SourceNameTakenError';
  }
}
