/** The bounds appendLogs enforces; runners size their batches by the same numbers. */
export const MAX_LINES_PER_BATCH = 1000;
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * PostgreSQL text cannot hold U+0000 nor half of a surrogate pair (which is not Unicode). Rather
 * than refuse a whole batch for one of them, each is stored as U+FFFD (the Unicode replacement
 * character), as UTF-8 encoding does with a lone surrogate; every other character is stored as sent.
 */
export function storableMessage(message: string): string {
  return isStorable(message) ? message : message.replaceAll('\u0000', '\uFFFD').toWellFormed();
}

const isStorable = (message: string) => !message.includes('\u0000') && message.isWellFormed();

/** The batch with every message storable, copied only when a message had to change. */
export function storableLines<T extends { message: string }>(lines: T[]): T[] {
  return lines.every((line) => isStorable(line.message)) ? lines : lines.map((line) => ({ ...line, message: storableMessage(line.message) }));
}

export function levelRank(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}
