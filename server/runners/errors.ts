/** The ways a runner operation can fail that a caller can act on. */
import { builder } from '../graphql/builder.ts';
import { ErrorInterface } from '../graphql/errors.ts';

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

builder.objectType(RunnerNameTakenError, {
  name: 'RunnerNameTakenError',
  description: 'Runner names are unique; nothing was stored.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('runnerName') }),
});

builder.objectType(RunnerRevokedError, {
  name: 'RunnerRevokedError',
  description: 'The runner is revoked, and a revoked runner gets no new key.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ runnerId: t.id({ resolve: (e) => String(e.runnerId) }) }),
});
