/**
 * What an incident is about: a scraper, a source or a runner. Its key, with the rule's id, keys the
 * one incident that may be open per rule and subject.
 */
export type Subject = { key: string; scraperId: number | null; sourceId: number | null; runnerId: number | null };

export const scraperSubject = (scraperId: number): Subject => ({ key: `scraper:${scraperId}`, scraperId, sourceId: null, runnerId: null });

/** A source's incident also names the scraper its rule watches, so that snoozing that scraper quiets it. */
export const sourceSubject = (sourceId: number, ruleScraperId: number | null): Subject => ({
  key: `source:${sourceId}`,
  scraperId: ruleScraperId,
  sourceId,
  runnerId: null,
});

export const runnerSubject = (runnerId: number): Subject => ({ key: `runner:${runnerId}`, scraperId: null, sourceId: null, runnerId });
