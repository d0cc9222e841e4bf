import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSchemaSDL } from '../../server/graphql/printSchema.ts';

describe('schema.graphql', () => {
  it('matches the schema the server builds (run `npm run schema:print` after changing a schema file)', () => {
    const checkedIn = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn === printSchemaSDL(), 'schema.graphql is stale: run `npm run schema:print`').toBe(true);
  });
});
