/** The bounds appendLogs enforces; runners size their batches by the same numbers. */
export const MAX_LINES_PER_BATCH = 1000;
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * PostgreSQL text cannot hold U+0000. Rather than refuse a whole batch for one byte, a NUL is
 * stored as U+FFFD (the Unicode replacement character); every other character is stored as sent.
 */
export function storableMessage(message: string): string {
  return message.includes('\u0000') ? message.replaceAll('\u0000', '\uFFFD') : message;
}

export function levelRank(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}
