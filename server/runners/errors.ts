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

/** A runner asked to wait for work under labels an admin has not given it: its key cannot grant itself other work. */
export class RunnerLabelsNotGrantedError extends Error {
  readonly labels: string[];

  constructor(labels: string[]) {
    super(`This runner does not hold the label${labels.length === 1 ? '' : 's'} ${labels.join(', ')}: an admin sets a runner's labels (setRunnerLabels); a runner may only narrow them`);
    this.labels = labels;
    this.name = 'RunnerLabelsNotGrantedError';
  }
}
