import { describe, expect, it } from 'vitest';
import { formatDateTime, formatFireTime, formatLogDay, formatLogTime, formatNumber, formatCount } from '../../client/src/lib/format.ts';

const AT = '2026-12-06T03:16:31.361Z';

describe('the admin formats', () => {
  it('writes a time with its zone, in UTC when the person chose UTC', () => {
    expect(formatDateTime(AT, 'utc')).toBe('Dec 6, 2026, 3:16:31 AM UTC');
    expect(formatDateTime(null, 'utc')).toBe('—');
  });

  it('keeps log times compact and states their day and zone apart', () => {
    expect(formatLogTime(AT, 'utc')).toBe('03:16:31.361');
    expect(formatLogDay(AT, 'utc')).toBe('Dec 6, 2026 (UTC)');
  });

  it('writes a fire time in the schedule’s own zone', () => {
    expect(formatFireTime(AT, 'Europe/Berlin')).toBe('Sun, Dec 6, 2026, 04:16');
  });

  it('writes counts one way, whatever the browser’s locale', () => {
    expect(formatNumber(100_000)).toBe('100,000');
    expect(formatCount(9_990, 'warning')).toBe('9,990 warnings');
  });
});
