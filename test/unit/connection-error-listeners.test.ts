/**
 * Every PostgreSQL pool and client the project opens listens for 'error', and so does every
 * connection taken out of a pool. pg emits it on a connection whose server went away (a restart, a
 * failover, a terminated backend, PostgreSQL shut down at the end of a benchmark); with no listener,
 * Node throws it and the process dies.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCES = ['server', 'scrapers', 'bench', 'scripts', 'test'];
const SKIPPED = new Set(['node_modules', 'generated', 'dist', 'results']);
/** Wrappers that attach the listener themselves. */
const LISTENING_WRAPPERS = /(tolerateConnectionLoss|reportConnectionErrors)\(\s*$/;
const OPENS = /new (pg\.Pool|pg\.Client|PgBoss)\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return SKIPPED.has(name) ? [] : sourceFiles(file);
    return /\.(ts|mts|mjs|js)$/.test(name) ? [file] : [];
  });
}

/** Where a pool or client is opened without an 'error' listener, as `file:line`. */
function unheardConnections(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const unheard: string[] = [];
  for (const match of text.matchAll(new RegExp(OPENS.source, 'g'))) {
    const before = text.slice(0, match.index);
    const line = before.split('\n').length;
    if (LISTENING_WRAPPERS.test(before)) continue;
    const assigned = /(\w+)\s*=\s*$/.exec(before)?.[1];
    if (assigned && new RegExp(`\\b${assigned}\\.on\\(\\s*'error'`).test(text)) continue;
    unheard.push(`${path.relative(ROOT, file)}:${line}`);
  }
  return unheard;
}

describe('database connections', () => {
  const files = SOURCES.flatMap((dir) => sourceFiles(path.join(ROOT, dir)));

  it('are all found where the check looks', () => {
    // The check proves nothing if the pattern stopped matching: the server's own pool must be among them.
    const opened = files.filter((file) => OPENS.test(readFileSync(file, 'utf8')));
    expect(opened.map((file) => path.relative(ROOT, file))).toContain(path.join('server', 'db', 'database.ts'));
  });

  it('each handle their errors', () => {
    expect(files.flatMap(unheardConnections)).toEqual([]);
  });

  it('taken out of a pool for several statements are held through holdConnection, which listens while they are out', () => {
    // Tests hold connections of their own to lock rows; nothing terminates those under them.
    const product = files.filter((file) => !path.relative(ROOT, file).startsWith(`test${path.sep}`) && !file.endsWith(path.join('db', 'heldConnection.ts')));
    const checkedOut = product.filter((file) => /\bpool\.connect\(\)/i.test(readFileSync(file, 'utf8')));
    expect(checkedOut.map((file) => path.relative(ROOT, file))).toEqual([]);
  });

  it('are opened as pg.Pool and pg.Client, which the check sees', () => {
    const namedImports = files.filter((file) => /import\s*\{[^}]*\b(Pool|Client)\b[^}]*\}\s*from\s*'pg'/.test(readFileSync(file, 'utf8')));
    expect(namedImports.map((file) => path.relative(ROOT, file))).toEqual([]);
  });
});
