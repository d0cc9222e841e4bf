/** The README and the documents under docs/ link only to files and headings that exist. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors, markdownLinks } from '../helpers/markdownLinks.ts';

const root = path.resolve(import.meta.dirname, '../..');
const docsDir = path.join(root, 'docs');
const documents = [
  path.join(root, 'README.md'),
  ...readdirSync(docsDir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(docsDir, name)),
];

describe('documentation links', () => {
  it.each(documents.map((file) => [path.relative(root, file), file]))('%s: every relative link leads to an existing file and heading', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('the README links to every document under docs/', () => {
    const readme = path.join(root, 'README.md');
    const linked = new Set(
      markdownLinks(readFileSync(readme, 'utf8')).map((link) => path.resolve(root, link.target.split('#')[0] ?? '')),
    );
    const unlinked = documents.filter((file) => file !== readme && !linked.has(file));
    expect(unlinked.map((file) => path.relative(root, file))).toEqual([]);
  });

  it('finds a missing file, a missing heading, and ignores links inside code', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'scrapedeck-docs-'));
    writeFileSync(path.join(dir, 'target.md'), '# Past NOTIFY: Redis pub/sub\n\n## After a killed `npm start`\n');
    const source = path.join(dir, 'source.md');
    writeFileSync(
      source,
      [
        '[fine](target.md#past-notify-redis-pubsub) and [fine too](target.md#after-a-killed-npm-start)',
        '[no file](missing.md) and [no heading](target.md#nowhere) and [outside](https://example.com/x.md)',
        '`[in a span](absent.md)`',
        '```md',
        '[in a block](absent.md)',
        '```',
      ].join('\n'),
    );
    expect(brokenLinks(source)).toEqual([
      'source.md:2 → missing.md: no such file',
      'source.md:2 → target.md#nowhere: no such heading',
    ]);
  });

  it('numbers repeated headings as GitHub does', () => {
    expect([...headingAnchors('# Limits\n## Limits\n### What a request may cost\n')]).toEqual([
      'limits',
      'limits-1',
      'what-a-request-may-cost',
    ]);
  });
});
