/** Assembles the schema: each domain registers its types and fields on import. */
import { builder } from './builder.ts';
import './errors.ts';
import '../auth/schema.ts';
import '../sources/schema.ts';
import '../scrapers/schema.ts';
import '../runners/schema.ts';
import '../runs/schema.ts';
import '../runs/bulk/schema.ts';
import '../runVerdict/schema.ts';
import '../publication/schema.ts';
import '../logs/schema.ts';
import '../logs/search/schema.ts';
import '../products/schema.ts';
import '../flags/schema.ts';
import '../scraperHealth/schema.ts';
import '../quality/schema.ts';
import '../freshness/schema.ts';
import '../scheduler/schema.ts';
import '../alerts/channels/schema.ts';
import '../alerts/notifications/schema.ts';
import '../alerts/rules/schema.ts';
import '../alerts/incidents/schema.ts';
import '../alerts/deliveryLinks/schema.ts';
import '../exports/schema.ts';
import '../trends/schema.ts';

builder.queryType({ description: 'Read Scrapedeck: runs, logs, scrapers, health, quality and freshness.' });
builder.mutationType({ description: 'Change Scrapedeck; every field returns a result union with typed errors.' });
builder.subscriptionType({ description: 'Live updates over graphql-ws on the same /graphql path.' });

export const schema = builder.toSchema({ sortSchema: true });
