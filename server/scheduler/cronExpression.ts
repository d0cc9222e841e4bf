/**
 * What a scraper's cron expression may be, and what is wrong with one: five fields or one of the
 * macros the scheduler runs, each macro mapped here to its five fields so that the rule that accepts
 * an expression and the scheduler that runs it read it the same way.
 */
import { CronExpressionParser } from 'cron-parser';

/** The macros the scheduler runs, as the five fields they stand for. */
const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** How far ahead a schedule must fire at least once: every valid expression does within a leap-year cycle. */
const HORIZON_YEARS = 5;

/** The five fields an expression stands for: a macro's, or the expression itself. */
export function toFiveFields(cron: string): string {
  const trimmed = cron.trim();
  return CRON_MACROS[trimmed.toLowerCase()] ?? trimmed;
}

/** cron-parser's wording, said of one field. */
function fieldProblem(message: string): string {
  const range = /got value (\S+) expected range (\d+)-(\d+)/.exec(message);
  if (range) return `${range[1]} is out of range ${range[2]}–${range[3]}`;
  const backwards = /Invalid range: (\S+), min\((\d+)\) > max\((\d+)\)/.exec(message);
  if (backwards) return `the range ${backwards[1]} runs backwards (${backwards[2]} is after ${backwards[3]})`;
  if (/cannot repeat at every 0 time/.test(message)) return 'a step of 0 never advances';
  const characters = /Invalid characters, got value: (.*)$/.exec(message);
  if (characters) return `"${characters[1]}" is not a number, range (1-5), step (*/15) or list (1,15)`;
  return message.replace(/^Constraint error, /, '');
}

/** The month names of a month field that are not every month. */
function monthNames(monthField: string): string {
  const months = CronExpressionParser.parse(`0 0 1 ${monthField} *`, { tz: 'UTC' }).fields.month.values as number[];
  const names = months.map((m) => MONTHS[m - 1]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? monthField);
}

/**
 * What is wrong with an expression, naming the field at fault ("minute: 61 is out of range 0–59"),
 * or null when it is a schedule the scheduler runs and that fires within the next few years of `now`.
 */
export function cronProblem(cron: string, now: Date = new Date()): string | null {
  const trimmed = cron.trim();
  if (trimmed.startsWith('@')) {
    if (CRON_MACROS[trimmed.toLowerCase()]) return null;
    return `${trimmed} is not a schedule the scheduler runs; use five fields or one of ${Object.keys(CRON_MACROS).join(' ')}`;
  }
  const fields = trimmed.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    const extra = fields.length === 6 ? ' (seconds are not supported)' : '';
    return `expected 5 fields: minute hour day-of-month month day-of-week; got ${fields.length}${extra}`;
  }
  // Each field alone, the others any value, so that a problem is told of the field that has it.
  for (const [index, name] of FIELDS.entries()) {
    const alone = FIELDS.map((_, i) => (i === index ? fields[i] : '*')).join(' ');
    try {
      CronExpressionParser.parse(alone, { tz: 'UTC' });
    } catch (error) {
      return `${name}: ${fieldProblem((error as Error).message)}`;
    }
  }
  const [, , dayOfMonth = '', month = ''] = fields;
  let next: Date;
  try {
    next = CronExpressionParser.parse(trimmed, { tz: 'UTC', currentDate: now }).next().toDate();
  } catch {
    // Every field is valid alone: only the days of the month and the months can fail together.
    return `day-of-month ${dayOfMonth} never occurs in ${monthNames(month)}: this schedule never fires`;
  }
  const horizon = new Date(now);
  horizon.setUTCFullYear(horizon.getUTCFullYear() + HORIZON_YEARS);
  if (next > horizon) return `this schedule does not fire within ${HORIZON_YEARS} years (next on ${next.toISOString().slice(0, 10)})`;
  return null;
}
