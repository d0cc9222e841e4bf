/** CSV cells as a spreadsheet reads them: text that it would run as a formula is written as text. */
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../server/exports/formats.ts';

describe('CSV formula neutralisation', () => {
  it('neutralises a formula behind leading spaces or a line break, which spreadsheets trim before reading it', () => {
    expect(csvLine(['  =HYPERLINK("http://x","y")', ' +1', '\n=cmd', ' @SUM(A1)', '\u00a0-2'])).toBe(
      `"'  =HYPERLINK(""http://x"",""y"")",' +1,"'\n=cmd",' @SUM(A1),'\u00a0-2\r\n`,
    );
  });

  it('leaves text alone whose first visible character starts no formula, and numbers as numbers', () => {
    expect(csvLine(['  plain', 'a=b', 'x-1', -3, 0, '', null])).toBe('  plain,a=b,x-1,-3,0,,\r\n');
  });
});
