/** Prints the Pothos schema to schema.graphql, the checked-in contract the admin's codegen reads. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaSDL } from '../server/graphql/printSchema.ts';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, printSchemaSDL());
process.stdout.write(`wrote ${target}\n`);
