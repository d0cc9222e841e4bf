/** Messages made storable: what PostgreSQL text cannot hold is replaced, everything else kept as sent. */
import { isStorableText, storableText } from '../db/storableText.ts';

/** The batch with every message storable, copied only when a message had to change. */
export function storableLines<T extends { message: string }>(lines: T[]): T[] {
  return lines.every((line) => isStorableText(line.message)) ? lines : lines.map((line) => ({ ...line, message: storableText(line.message) }));
}
