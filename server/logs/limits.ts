/** How the server treats the lines it stores: messages made storable, levels ranked by severity. */
import { LOG_LEVELS, type LogLevelName } from '../../contract/logLevels.ts';
import { isStorableText, storableText } from '../db/storableText.ts';

/** The batch with every message storable, copied only when a message had to change. */
export function storableLines<T extends { message: string }>(lines: T[]): T[] {
  return lines.every((line) => isStorableText(line.message)) ? lines : lines.map((line) => ({ ...line, message: storableText(line.message) }));
}

export function levelRank(level: LogLevelName): number {
  return LOG_LEVELS.indexOf(level);
}
