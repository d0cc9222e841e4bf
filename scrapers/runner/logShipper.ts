/**
 * A run's log handler: collects lines and hands them to the run's outbox as one appendLogs batch
 * every 50 lines or 1 second, whichever comes first, and whenever the run asks (at its end and on
 * every error path). Each line is also written to the runner's own output.
 */
import type { Logger } from 'pino';
import { MAX_MESSAGE_BYTES } from '../../contract/limits.ts';
import type { LogLevelName } from '../../contract/logLevels.ts';
import type { LogLineInput } from './gql/graphql.ts';
import type { Outbox } from './outbox.ts';

const FLUSH_LINES = 50;
const FLUSH_INTERVAL_MS = 1_000;
const PINO_LEVEL = { DEBUG: 'debug', INFO: 'info', WARNING: 'warn', ERROR: 'error', CRITICAL: 'fatal' } as const;

export class LogShipper {
  private lines: LogLineInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private batches = 0;

  private readonly jobId: string;
  private readonly outbox: Outbox;
  private readonly logger: Logger;
  /** Unique per runner process, so batch ids never collide across restarts. */
  private readonly session: string;

  constructor(jobId: string, outbox: Outbox, logger: Logger, session: string) {
    this.jobId = jobId;
    this.outbox = outbox;
    this.logger = logger;
    this.session = session;
  }

  /** A message longer than the API takes is cut rather than lost. */
  log(level: LogLevelName, message: string): void {
    const text = Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES ? clip(message) : message;
    this.logger[PINO_LEVEL[level]]({ jobId: this.jobId, jobLevel: level }, text);
    this.lines.push({ level, message: text, timestamp: new Date().toISOString() });
    if (this.lines.length >= FLUSH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Seals the lines collected so far into a batch (the outbox sends it in order). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.lines.length === 0) return;
    const batchId = `logs.${this.session}.${this.jobId}.${++this.batches}`;
    this.outbox.push({ kind: 'logs', jobId: this.jobId, batchId, lines: this.lines });
    this.lines = [];
  }
}

function clip(message: string): string {
  let text = Buffer.from(message, 'utf8').subarray(0, MAX_MESSAGE_BYTES - 64).toString('utf8');
  // A cut through a multi-byte character leaves U+FFFD at the end; drop it.
  text = text.replace(/\uFFFD$/, '');
  return `${text} … [cut: ${Buffer.byteLength(message, 'utf8')} bytes]`;
}
