/**
 * Stores scraper definitions that have passed the definition schema (the demo's, read from their
 * folder at start): each source is created or updated by name and each scraper by slug, with the
 * definition as its config. A scraper an admin disabled or paused stays so.
 */
import type { ScraperDefinition } from '../../contract/definitionSchema.ts';
import type { Database } from '../db/database.ts';
import type { Prisma } from '../db/generated/prisma/client.ts';
import { cron as cronRule } from './inputRules.ts';

export type RegisteredScraper = { slug: string; scraperId: number; sourceId: number };

export async function registerDefinitions(db: Database, definitions: ScraperDefinition[]): Promise<RegisteredScraper[]> {
  const registered: RegisteredScraper[] = [];
  for (const definition of definitions) registered.push(await registerDefinition(db, definition));
  return registered;
}

async function registerDefinition(db: Database, definition: ScraperDefinition): Promise<RegisteredScraper> {
  const { source } = definition;
  const cron = definition.cron ?? null;
  const checked = cron === null ? null : cronRule.safeParse(cron);
  if (checked && !checked.success) throw new Error(`${definition.slug}: cron: ${checked.error.issues[0]?.message}`);
  return db.prisma.$transaction(async (tx) => {
    const thresholds = { staleAfterMinutes: source.staleAfterMinutes, criticalAfterMinutes: source.criticalAfterMinutes };
    const storedSource = await tx.source.upsert({
      where: { name: source.name },
      create: { name: source.name, url: source.url, ...thresholds },
      update: { url: source.url, ...thresholds },
      select: { id: true },
    });
    const fields = {
      name: definition.name,
      sourceId: storedSource.id,
      cron,
      config: definition as unknown as Prisma.InputJsonObject,
    };
    const scraper = await tx.scraper.upsert({
      where: { slug: definition.slug },
      create: { slug: definition.slug, ...fields },
      update: fields,
      select: { id: true },
    });
    return { slug: definition.slug, scraperId: scraper.id, sourceId: storedSource.id };
  });
}
