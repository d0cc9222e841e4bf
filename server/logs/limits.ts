/** The bounds appendLogs enforces; runners size their batches by the same numbers. */
import { isStorableText, storableText } from '../db/storableText.ts';

export const MAX_LINES_PER_BATCH = 1000;
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The batch with every message storable, copied only when a message had to change. */
export function storableLines<T extends { message: string }>(lines: T[]): T[] {
  return lines.every((line) => isStorableText(line.message)) ? lines : lines.map((line) => ({ ...line, message: storableText(line.message) }));
}

export function levelRank(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}
