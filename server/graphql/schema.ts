/** Assembles the schema: each domain registers its types and fields on import. */
import { builder } from './builder.ts';
import './errors.ts';
import '../auth/schema.ts';
import '../sources/schema.ts';
import '../scrapers/schema.ts';
import '../runners/schema.ts';
import '../runs/schema.ts';
import '../logs/schema.ts';
import '../products/schema.ts';
import '../flags/schema.ts';
import '../scraperHealth/schema.ts';
import '../quality/schema.ts';
import '../freshness/schema.ts';
import '../scheduler/schema.ts';

builder.queryType({ description: 'Read Scrapedeck: runs, logs, scrapers, health, quality and freshness.' });
builder.mutationType({ description: 'Change Scrapedeck; every field returns a result union with typed errors.' });
builder.subscriptionType({ description: 'Live updates over graphql-ws on the same /graphql path.' });

export const schema = builder.toSchema({ sortSchema: true });
