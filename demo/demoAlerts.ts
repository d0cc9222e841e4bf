/**
 * The demo's alerting: a webhook channel to the receiver the demo runs, and rules that alert it
 * when the deliberately failing demo scraper fails, so that a newcomer sees an incident and its
 * deliveries without setting anything up. Made again on every start, and idempotent.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Database } from '../server/db/database.ts';

export const DEMO_CHANNEL_NAME = 'Demo webhook receiver';

/** The demo scraper that fails on purpose (scrapers/definitions/slow-farm.yaml): some of its SKUs never answer well. */
const FAILING_DEMO_SCRAPER = 'slow-farm';

/** Rules are found again by name: an admin's later changes to them (disabled, snoozed) are kept. */
const DEMO_RULES = [
  { kind: 'RUN_WARNING', name: (scraper: string) => `Demo: ${scraper} ended with warnings` },
  { kind: 'RUN_ERROR', name: (scraper: string) => `Demo: ${scraper} failed` },
] as const;

/**
 * The demo channel's signing secret: the one stored on it, so that a restart does not change a
 * secret someone may have copied into a verifier of their own, or a new one when there is none the
 * receiver can verify with.
 */
export async function demoWebhookSecret(db: Database): Promise<string> {
  const channel = await db.prisma.alertChannel.findUnique({ where: { name: DEMO_CHANNEL_NAME }, select: { secret: true } });
  if (channel?.secret && usableSecret(channel.secret)) return channel.secret;
  return `whsec_${randomBytes(24).toString('base64')}`;
}

function usableSecret(secret: string): boolean {
  try {
    new Webhook(secret);
    return true;
  } catch {
    return false;
  }
}

/**
 * Points the demo channel at the receiver's address of this start (its port changes) with the
 * given secret, and gives the failing demo scraper the demo rules it lacks, each linked to the
 * channel (again, if the channel was deleted and is made anew).
 */
export async function ensureDemoAlerts(db: Database, params: { receiverUrl: string; secret: string }): Promise<{ channelId: number; ruleIds: number[] }> {
  return db.prisma.$transaction(async (tx) => {
    const scraper = await tx.scraper.findUniqueOrThrow({ where: { slug: FAILING_DEMO_SCRAPER }, select: { id: true, name: true } });
    const channel = await tx.alertChannel.upsert({
      where: { name: DEMO_CHANNEL_NAME },
      create: { name: DEMO_CHANNEL_NAME, kind: 'WEBHOOK', url: params.receiverUrl, secret: params.secret },
      update: { kind: 'WEBHOOK', url: params.receiverUrl, secret: params.secret },
      select: { id: true },
    });
    const ruleIds: number[] = [];
    for (const rule of DEMO_RULES) {
      const name = rule.name(scraper.name);
      const existing = await tx.alertRule.findFirst({ where: { name, kind: rule.kind, scraperId: scraper.id }, select: { id: true } });
      ruleIds.push(existing?.id ?? (await tx.alertRule.create({ data: { name, kind: rule.kind, scraperId: scraper.id }, select: { id: true } })).id);
    }
    await tx.alertRuleChannel.createMany({ data: ruleIds.map((ruleId) => ({ ruleId, channelId: channel.id })), skipDuplicates: true });
    return { channelId: channel.id, ruleIds };
  });
}
