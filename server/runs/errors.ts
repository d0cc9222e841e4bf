/** The ways a run operation can fail that a caller can act on. */
export class ScraperDisabledError extends Error {
  readonly scraperId: number;

  constructor(scraperId: number) {
    super(`Scraper ${scraperId} is disabled; enable it before triggering runs`);
    this.scraperId = scraperId;
    this.name = 'ScraperDisabledError';
  }
}

/** The scraper already has a run queued or running, and the trigger asked not to overlap it. */
export class RunInProgressError extends Error {
  readonly scraperId: number;
  readonly activeRunId: number;
  readonly activeStatus: 'QUEUED' | 'RUNNING';

  constructor(scraperId: number, activeRunId: number, activeStatus: 'QUEUED' | 'RUNNING') {
    super(
      activeStatus === 'RUNNING'
        ? `Scraper ${scraperId} is already running (run ${activeRunId}); trigger with ifActive: QUEUE to run again after it`
        : `Scraper ${scraperId} already has run ${activeRunId} queued`,
    );
    this.scraperId = scraperId;
    this.activeRunId = activeRunId;
    this.activeStatus = activeStatus;
    this.name = 'RunInProgressError';
  }
}

export class RunStateError extends Error {
  readonly runId: number;
  readonly status: string;

  constructor(
    runId: number,
    status: string,
    expected: string,
  ) {
    super(`Run ${runId} is ${status}, not ${expected}`);
    this.runId = runId;
    this.status = status;
    this.name = 'RunStateError';
  }
}

/** A failed run is retried once by hand: this one has its retry already (queued by hand or by the scheduler). */
export class RunAlreadyRetriedError extends Error {
  readonly runId: number;
  readonly retryRunId: number;

  constructor(runId: number, retryRunId: number) {
    super(`Run ${runId} was retried already, by run ${retryRunId}`);
    this.runId = runId;
    this.retryRunId = retryRunId;
    this.name = 'RunAlreadyRetriedError';
  }
}
