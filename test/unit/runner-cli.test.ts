/** Where the runner finds its key: the environment or a file, and the command line only as a last, visible resort. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyOnCommandLine, readSettings } from '../../scrapers/runner/cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'scrapedeck-key-'));
const keyFile = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
};
const API = { SCRAPEDECK_API_URL: 'http://127.0.0.1:4000/graphql' };

describe('the runner key', () => {
  it('is read from --key-file: its first line, trimmed', () => {
    const file = keyOnDisk();
    expect(readSettings(['--key-file', file], API).key).toBe('sdr_from_file');
  });

  it('is read from the file SCRAPEDECK_RUNNER_KEY_FILE names, or from SCRAPEDECK_RUNNER_KEY', () => {
    expect(readSettings([], { ...API, SCRAPEDECK_RUNNER_KEY_FILE: keyOnDisk() }).key).toBe('sdr_from_file');
    expect(readSettings([], { ...API, SCRAPEDECK_RUNNER_KEY: 'sdr_from_env' }).key).toBe('sdr_from_env');
  });

  it('says which file cannot be read, or holds no key', () => {
    expect(() => readSettings(['--key-file', path.join(dir, 'missing')], API)).toThrow(/--key-file .*missing cannot be read: ENOENT/);
    expect(() => readSettings(['--key-file', keyFile('empty', '\n\n')], API)).toThrow(/holds no key/);
  });

  it('is flagged when it came on the command line', () => {
    expect(keyOnCommandLine(['--api', 'x', '--key', 'sdr_x'])).toBe(true);
    expect(keyOnCommandLine(['--key=sdr_x'])).toBe(true);
    expect(keyOnCommandLine(['--key-file', '/run/secrets/key'])).toBe(false);
  });
});

function keyOnDisk() {
  return keyFile('key', '  sdr_from_file  \nignored second line\n');
}

describe('how the runner waits for work', () => {
  const KEY = { ...API, SCRAPEDECK_RUNNER_KEY: 'sdr_x' };

  it('waits 50 s on the server by default, for runs under all of its labels', () => {
    expect(readSettings([], KEY)).toMatchObject({ waitSeconds: 50, labels: null });
  });

  it('takes --wait-seconds and --labels, or RUNNER_WAIT_SECONDS and RUNNER_LABELS; --wait-seconds 0 polls', () => {
    expect(readSettings(['--wait-seconds', '0', '--labels', 'eu, residential,eu'], KEY)).toMatchObject({ waitSeconds: 0, labels: ['eu', 'residential'] });
    expect(readSettings([], { ...KEY, RUNNER_WAIT_SECONDS: '20', RUNNER_LABELS: 'us' })).toMatchObject({ waitSeconds: 20, labels: ['us'] });
  });

  it('names a label that is not one, and a wait out of range', () => {
    expect(() => readSettings(['--labels', 'EU West'], KEY)).toThrow(/--labels a label is 1 to 63 lowercase letters/);
    expect(() => readSettings(['--wait-seconds', '-1'], KEY)).toThrow(/--wait-seconds/);
  });
});
