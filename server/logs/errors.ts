/** The ways storing or following a run's log can fail that a caller can act on. */
import { OversizeBatchError } from '../domainErrors.ts';
import { MAX_LINES_PER_BATCH } from '../../contract/limits.ts';

export class BatchTooLargeError extends OversizeBatchError {
  constructor(received: number) {
    super('BatchTooLargeError', 'lines', MAX_LINES_PER_BATCH, received);
  }
}

/** A subscriber fell too far behind and was dropped; it resumes after resumeAfterSeq, the last seq it was given. */
export class SubscriberTooSlowError extends Error {
  readonly resumeAfterSeq: number;

  constructor(resumeAfterSeq: number) {
    super(`Subscriber fell too far behind; resubscribe with afterSeq: ${resumeAfterSeq}`);
    this.resumeAfterSeq = resumeAfterSeq;
    this.name = 'SubscriberTooSlowError';
  }
}
