/** Making, changing, pausing and resuming scrapers: plain functions over the database. */
import type { Database } from '../db/database.ts';
import type { Prisma, Scraper } from '../db/generated/prisma/client.ts';
import type { MissedRunPolicy } from '../db/generated/prisma/enums.ts';
import { NotFoundError } from '../domainErrors.ts';
import { SourceNameTakenError } from '../sources/errors.ts';
import { SlugTakenError } from './errors.ts';

type NewSource = { name: string; url: string; staleAfterMinutes?: number | null; criticalAfterMinutes?: number | null };

type ScraperFields = {
  slug: string;
  name: string;
  cron?: string | null;
  timezone?: string;
  enabled?: boolean;
  config: Prisma.InputJsonObject;
  maxRetries?: number;
  missedRunPolicy?: MissedRunPolicy;
};

/** Either an existing source (sourceId) or a new one (source); the input rules make sure it is exactly one. */
export type CreateScraperInput = ScraperFields & { sourceId?: number; source?: NewSource };

export type UpdateScraperInput = Partial<ScraperFields> & { sourceId?: number };

/** The source (when new) and the scraper are stored together or not at all. */
export async function createScraper(db: Database, input: CreateScraperInput): Promise<Scraper> {
  const { source, sourceId, ...fields } = input;
  return db.prisma.$transaction(async (tx) => {
    let id: number;
    if (source) {
      // ON CONFLICT DO NOTHING: a taken name is an answer for the caller, not an aborted transaction.
      const [created] = await tx.source.createManyAndReturn({
        data: [
          {
            name: source.name,
            url: source.url,
            staleAfterMinutes: source.staleAfterMinutes ?? undefined,
            criticalAfterMinutes: source.criticalAfterMinutes ?? undefined,
          },
        ],
        skipDuplicates: true,
        select: { id: true },
      });
      if (!created) throw new SourceNameTakenError(source.name);
      id = created.id;
    } else {
      id = sourceId!;
      const existing = await tx.source.findUnique({ where: { id }, select: { id: true } });
      if (!existing) throw new NotFoundError('Source', String(id));
    }
    const [scraper] = await tx.scraper.createManyAndReturn({ data: [{ ...fields, sourceId: id }], skipDuplicates: true });
    if (!scraper) throw new SlugTakenError(fields.slug);
    return scraper;
  });
}

export async function updateScraper(db: Database, id: number, input: UpdateScraperInput): Promise<Scraper> {
  if (input.sourceId !== undefined) {
    const source = await db.prisma.source.findUnique({ where: { id: input.sourceId }, select: { id: true } });
    if (!source) throw new NotFoundError('Source', String(input.sourceId));
  }
  if (input.slug !== undefined) {
    const holder = await db.prisma.scraper.findUnique({ where: { slug: input.slug }, select: { id: true } });
    if (holder && holder.id !== id) throw new SlugTakenError(input.slug);
  }
  try {
    return await db.prisma.scraper.update({ where: { id }, data: { ...input, ...(await restartSchedule(db, id, input)) } });
  } catch (error) {
    throw explainPrismaError(error, id, input.slug);
  }
}

/**
 * A new cron or time zone, or enabling again, starts the schedule from now: fire times of the new
 * schedule that lie in the past, or that passed while disabled, never run.
 */
async function restartSchedule(db: Database, id: number, input: UpdateScraperInput): Promise<{ scheduledThrough?: Date }> {
  if (input.cron === undefined && input.timezone === undefined && input.enabled === undefined) return {};
  const current = await db.prisma.scraper.findUnique({ where: { id }, select: { cron: true, timezone: true, enabled: true } });
  if (!current) return {};
  const changed =
    (input.cron !== undefined && input.cron !== current.cron) ||
    (input.timezone !== undefined && input.timezone !== current.timezone) ||
    (input.enabled === true && !current.enabled);
  return changed ? { scheduledThrough: new Date() } : {};
}

export async function setScraperPaused(db: Database, id: number, paused: boolean): Promise<Scraper> {
  try {
    // Resuming starts the schedule from now: the fire times that passed while paused do not run.
    return await db.prisma.scraper.update({ where: { id }, data: paused ? { paused } : { paused, scheduledThrough: new Date() } });
  } catch (error) {
    throw explainPrismaError(error, id);
  }
}

/** A missing row and a slug taken between the check and the write become the caller's typed errors. */
function explainPrismaError(error: unknown, id: number, slug?: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'P2025') return new NotFoundError('Scraper', String(id));
  if (code === 'P2002' && slug !== undefined) return new SlugTakenError(slug);
  return error;
}
