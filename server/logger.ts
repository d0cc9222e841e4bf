/** The process's one structured logger. */
import { pino, type Logger } from 'pino';
import { requestIdMixin } from './http/requestId.ts';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'scrapedeck' }, mixin: requestIdMixin });
}
