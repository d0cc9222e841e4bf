/** The ways a publication operation can fail that a caller can act on. */
export class RunNotHeldError extends Error {
  readonly runId: number;
  readonly publication: string;

  constructor(runId: number, publication: string) {
    super(`Run ${runId} is ${publication}, not HELD: only a held run waits for approval`);
    this.runId = runId;
    this.publication = publication;
    this.name = 'RunNotHeldError';
  }
}
