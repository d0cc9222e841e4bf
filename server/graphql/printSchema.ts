/** The SDL of the schema as checked in to schema.graphql: one function so the script and its staleness test agree. */
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema.ts';

export function printSchemaSDL(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
