/** The levels of a log line, least severe first: runners log at them, the server counts and filters by them. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** A level's place by severity: a line passes a minimum level when its rank is at least the minimum's. */
export function levelRank(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}
