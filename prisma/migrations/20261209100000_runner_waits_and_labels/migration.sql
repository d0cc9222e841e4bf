-- Runners wait for work on a held claimRun instead of polling, and may be labelled; a run may ask
-- for labels. Both label columns default to none, so existing runs and runners behave as before.

-- AlterTable
ALTER TABLE "run" ADD COLUMN "required_labels" TEXT[] NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "runner" ADD COLUMN "labels" TEXT[] NOT NULL DEFAULT '{}',
ADD COLUMN "waiting_until" TIMESTAMPTZ(3);
