/** The ways a runner operation can fail that a caller can act on. */
export class RunnerNameTakenError extends Error {
  readonly runnerName: string;

  constructor(runnerName: string) {
    super(`A runner named ${runnerName} exists already`);
    this.runnerName = runnerName;
    this.name = 'RunnerNameTakenError';
  }
}

export class RunnerRevokedError extends Error {
  readonly runnerId: number;

  constructor(runnerId: number) {
    super(`Runner ${runnerId} is revoked; create a new runner instead`);
    this.runnerId = runnerId;
    this.name = 'RunnerRevokedError';
  }
}
