import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('generated GraphQL types (client/src/gql, scrapers/runner/gql)', () => {
  it('match what codegen makes from schema.graphql and the admin’s and the runner’s documents (run `npm run codegen` after changing either)', async () => {
    const files = (await generate({ ...config, cwd: ROOT, silent: true }, false)) as Array<{ filename: string; content: string }>;
    const folders = new Set(files.map((file) => path.dirname(path.relative(ROOT, path.resolve(ROOT, file.filename)))));
    expect([...folders].sort()).toEqual(['client/src/gql', 'scrapers/runner/gql']);
    for (const file of files) {
      const checkedIn = readFileSync(path.resolve(ROOT, file.filename), 'utf8');
      expect(checkedIn === file.content, `${file.filename} is stale: run \`npm run codegen\``).toBe(true);
    }
  });
});
