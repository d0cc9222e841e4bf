/**
 * The boundaries between the workspaces: the API (server/) and the runner (scrapers/) share only
 * contract/, which imports neither; the demo (demo/) and the process entry (main.ts) compose them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Relative specifiers of static imports, re-exports, side-effect imports and dynamic imports. */
const RELATIVE_IMPORT = /\b(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every import of a file under `workspace` that lands outside it, as `file -> top-level target`. */
function importsLeaving(workspace: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(path.join(ROOT, workspace))) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier!));
      const top = target.split(path.sep)[0];
      if (top !== workspace) found.push(`${path.relative(ROOT, file)} -> ${top}`);
    }
  }
  return found;
}

describe('import boundaries', () => {
  it('server/ imports contract/ and nothing else outside itself: not the runner, the demo or the admin', () => {
    expect(importsLeaving('server').filter((edge) => !edge.endsWith('-> contract'))).toEqual([]);
  });

  it('scrapers/ imports contract/ and nothing else outside itself: not the server or the demo', () => {
    expect(importsLeaving('scrapers').filter((edge) => !edge.endsWith('-> contract'))).toEqual([]);
  });

  it('contract/ imports nothing outside itself', () => {
    expect(importsLeaving('contract')).toEqual([]);
  });
});
