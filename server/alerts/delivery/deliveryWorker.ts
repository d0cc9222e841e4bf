/**
 * Delivers the outbox on one server instance. Every instance runs one: a queued notification wakes
 * them all (NOTIFY notification_queued), each claims what it can with SKIP LOCKED and a lease, so
 * each notification is attempted by one instance at a time. Between wake-ups a timer waits for the
 * next retry that falls due (or a lease that runs out), and the job engine's sweep (see
 * Scheduler's recurring jobs) drains whatever an instance left behind.
 */
import type pg from 'pg';
import type { Config } from '../../config.ts';
import type { PgListener } from '../../db/listener.ts';
import { withTransaction } from '../../db/withTransaction.ts';
import type { Logger } from '../../logger.ts';
import type { LiveBus } from '../../pubsub/liveBus.ts';
import { incidentUpdatePayload, INCIDENT_UPDATED_CHANNEL } from '../incidents/incidentUpdates.ts';
import { NOTIFICATION_QUEUED_CHANNEL } from '../notifications/queueNotifications.ts';
import { sendNotification, type DeliverySettings } from './sendNotification.ts';
import type { SendOutcome } from './sendOutcome.ts';
import { claimDueNotifications, type ClaimedNotification } from './sql/claimDueNotifications.ts';
import { nextDeliveryDueIn } from './sql/nextDeliveryDueIn.ts';
import { recordDeliveryAttempt } from './sql/recordDeliveryAttempt.ts';

/** Deliveries in flight on one instance: enough for a burst of incidents, few enough for slow receivers not to hold many sockets. */
const MAX_IN_FLIGHT = 8;
/**
 * A claim is held this long: longer than any attempt can take (10 s for HTTP, three SMTP stages of
 * 10 s), so that only an instance that died mid-send loses its claim.
 */
const LEASE_SECONDS = 120;
/** After a failed claim (the database away), the next try waits this long. */
const RETRY_CLAIM_MS = 5_000;
/** Never spin: a notification due "now" but still held by another instance's claim is looked at again after this. */
const MIN_WAIT_MS = 100;

export type DeliveryWorkerOptions = {
  pool: pg.Pool;
  listener: PgListener;
  bus: LiveBus;
  logger: Logger;
  config: DeliverySettings & Pick<Config, 'alertRetryScheduleSeconds' | 'alertPassIntervalSeconds'>;
  /** Whether attempts are announced by pg_notify in their transaction (else published after commit). */
  notifyInTransaction: boolean;
};

export class DeliveryWorker {
  private readonly options: DeliveryWorkerOptions;
  private readonly inFlight = new Set<Promise<void>>();
  private claiming: Promise<void> | null = null;
  private claimAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private unlisten: (() => Promise<void>) | null = null;
  private offReconnect: (() => void) | null = null;

  constructor(options: DeliveryWorkerOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    this.unlisten = await this.options.listener.on(NOTIFICATION_QUEUED_CHANNEL, () => this.wake());
    // Notifications queued while the LISTEN connection was away woke no one.
    this.offReconnect = this.options.listener.onReconnect(() => this.wake());
    this.wake();
  }

  /** Claims and sends whatever is due, as far as there is room; safe to call at any time and often. */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.fill().finally(() => {
      this.claiming = null;
    });
  }

  /** The job engine's periodic sweep: drains what is due and waits for it to be sent. */
  async sweep(): Promise<void> {
    this.wake();
    while (!this.stopped && (this.claiming || this.inFlight.size > 0)) {
      await Promise.all([this.claiming, ...this.inFlight]);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.offReconnect?.();
    await this.unlisten?.();
    // Attempts in flight finish and are recorded: their claims would otherwise wait out the lease.
    await Promise.all([this.claiming, ...this.inFlight]);
  }

  private async fill(): Promise<void> {
    const { pool, logger } = this.options;
    while (!this.stopped) {
      this.claimAgain = false;
      const room = MAX_IN_FLIGHT - this.inFlight.size;
      // A finishing delivery wakes the worker again.
      if (room <= 0) return;
      let claimed: ClaimedNotification[];
      try {
        claimed = await claimDueNotifications(pool, room, LEASE_SECONDS);
      } catch (error) {
        logger.warn({ err: error }, 'could not claim notifications to deliver; retrying');
        this.arm(RETRY_CLAIM_MS);
        return;
      }
      for (const notification of claimed) {
        const delivery = this.deliver(notification).finally(() => {
          this.inFlight.delete(delivery);
          this.wake();
        });
        this.inFlight.add(delivery);
      }
      // A full claim may have left more behind.
      if (claimed.length === room) continue;
      if (this.inFlight.size === 0) await this.armForNextDue();
      // Woken meanwhile: what woke it may have been missed by the claim above.
      if (!this.claimAgain) return;
    }
  }

  /** Sleeps until the next pending notification falls due, at most one pass interval (a backstop for a lost wake-up). */
  private async armForNextDue(): Promise<void> {
    const intervalMs = this.options.config.alertPassIntervalSeconds * 1000;
    try {
      const waitMs = await nextDeliveryDueIn(this.options.pool);
      this.arm(waitMs === null ? intervalMs : Math.min(Math.max(waitMs, MIN_WAIT_MS), intervalMs));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not read when the next notification is due');
      this.arm(RETRY_CLAIM_MS);
    }
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), ms);
    this.timer.unref();
  }

  private async deliver(notification: ClaimedNotification): Promise<void> {
    const { config, logger } = this.options;
    const { channel } = notification;
    const at = new Date();
    const started = performance.now();
    let outcome: SendOutcome;
    if (!channel.enabled) {
      // Disabled after this was queued (by an admin, or by a 410 to an earlier notification): not sent.
      outcome = { ok: false, statusCode: null, response: null, error: `not sent: the channel is disabled${channel.disabledReason ? ` (${channel.disabledReason})` : ''}` };
    } else {
      try {
        outcome = await sendNotification(notification, config);
      } catch (error) {
        outcome = { ok: false, statusCode: null, response: null, error: withoutChannelSecrets((error as Error).message, channel) };
      }
    }
    const durationMs = Math.round(performance.now() - started);
    const gone = !outcome.ok && outcome.statusCode === 410 && channel.kind !== 'EMAIL';
    const attempt = notification.attemptCount + 1;
    const schedule = config.alertRetryScheduleSeconds;
    const last = gone || !channel.enabled || attempt > schedule.length;
    try {
      const recorded = await withTransaction(this.options.pool, (client) =>
        recordDeliveryAttempt(client, {
          notificationId: notification.id,
          incidentId: notification.incidentId,
          lease: notification.lockedUntil,
          at,
          durationMs,
          outcome,
          retryInSeconds: outcome.ok || last ? null : schedule[attempt - 1]!,
          disableChannel: gone ? { channelId: channel.id, reason: `The receiver answered 410 Gone at ${at.toISOString()}: it no longer takes notifications. Re-enable the channel once it does.` } : null,
          notifyInTransaction: this.options.notifyInTransaction,
        }),
      );
      if (!this.options.notifyInTransaction) {
        this.options.bus.publish(INCIDENT_UPDATED_CHANNEL, incidentUpdatePayload({ incidentId: notification.incidentId, notificationId: notification.id }));
      }
      const fields = { notificationId: notification.id, channelId: channel.id, kind: channel.kind, attempt, statusCode: outcome.statusCode, durationMs };
      if (!recorded) logger.warn(fields, 'a delivery outlived its claim; another instance holds the notification now');
      else if (outcome.ok) logger.info(fields, 'notification delivered');
      else logger.warn({ ...fields, error: outcome.error, status: recorded.status, channelDisabled: gone }, 'notification delivery failed');
    } catch (error) {
      // The lease runs out and another claim sends it again (with the same webhook-id).
      logger.error({ err: error, notificationId: notification.id }, 'could not record a delivery attempt');
    }
  }
}

/** An error's message as recorded and shown: whatever it quotes of the channel's URL or secret is cut out. */
function withoutChannelSecrets(message: string, channel: ClaimedNotification['channel']): string {
  let clean = message;
  for (const secret of [channel.url, channel.secret]) if (secret) clean = clean.replaceAll(secret, '[redacted]');
  const pathname = channel.url && URL.canParse(channel.url) ? new URL(channel.url).pathname : '';
  if (pathname.length > 1) clean = clean.replaceAll(pathname, '/[redacted]');
  return clean.slice(0, 500);
}
