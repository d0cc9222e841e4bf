/** The failures of a log search a client can act on. */

/** A search ran past its statement timeout and was cancelled: narrow it (a scraper, a time window, a longer query). */
export class LogSearchTimeoutError extends Error {
  readonly seconds: number;

  constructor(seconds: number) {
    super(`The search ran longer than ${seconds} s and was stopped; narrow it with a scraper, a time window or a longer query.`);
    this.seconds = seconds;
    this.name = 'LogSearchTimeoutError';
  }
}
