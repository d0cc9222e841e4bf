/** Sends one notification by its channel's kind: webhook, Slack or email. */
import type { Config } from '../../config.ts';
import type { ClaimedNotification } from './sql/claimDueNotifications.ts';
import type { SendOutcome } from './sendOutcome.ts';
import { sendEmail } from './sendEmail.ts';
import { sendSlack } from './sendSlack.ts';
import { sendWebhook } from './sendWebhook.ts';

export type DeliverySettings = Pick<Config, 'publicUrl' | 'smtpUrl' | 'alertsFrom' | 'alertsAllowPrivateTargets'>;

/** Resolves with the outcome of an answer; rejects when no answer came (refused, unreachable, timed out). */
export function sendNotification(notification: ClaimedNotification, settings: DeliverySettings): Promise<SendOutcome> {
  const { channel } = notification;
  const http = { publicUrl: settings.publicUrl, allowPrivateTargets: settings.alertsAllowPrivateTargets };
  switch (channel.kind) {
    case 'WEBHOOK':
      if (!channel.url || !channel.secret) throw new Error('the webhook channel has no URL or no signing secret');
      return sendWebhook({ url: channel.url, secret: channel.secret }, notification, http);
    case 'SLACK':
      if (!channel.url) throw new Error('the Slack channel has no URL');
      return sendSlack(channel.url, notification, http);
    case 'EMAIL':
      return sendEmail(channel.recipients, notification, { publicUrl: settings.publicUrl, smtpUrl: settings.smtpUrl, from: settings.alertsFrom });
  }
}
