/**
 * What makes a run claimable, in one place for the claim and for the wake-ups that announce one: it
 * is QUEUED, its scraper is enabled, and no run of that scraper is RUNNING (one at a time).
 * Followed by the caller's own conditions (AND …).
 */
export const CLAIMABLE_RUNS = `
  FROM run JOIN scraper ON scraper.id = run.scraper_id AND scraper.enabled
 WHERE run.status = 'QUEUED'
   AND NOT EXISTS (SELECT 1 FROM run active WHERE active.scraper_id = run.scraper_id AND active.status = 'RUNNING')`;
