/**
 * Posts a notification to a webhook, signed as the Standard Webhooks specification says:
 * webhook-id (the notification's message id, the same on every retry, so that a receiver can drop
 * a repeat), webhook-timestamp and webhook-signature over `id.timestamp.body`.
 */
import { Webhook } from 'standardwebhooks';
import type { NotificationEventName, NotificationPayload } from '../notifications/queueNotifications.ts';
import { alertEvent } from './alertEvent.ts';
import { guardedPost } from './guardedPost.ts';
import { httpOutcome, type SendOutcome } from './sendOutcome.ts';

export type WebhookTarget = { url: string; secret: string };

export async function sendWebhook(
  target: WebhookTarget,
  notification: { messageId: string; event: NotificationEventName; payload: NotificationPayload },
  settings: { publicUrl: string; allowPrivateTargets: boolean; now?: Date },
): Promise<SendOutcome> {
  const body = JSON.stringify(alertEvent(notification.event, notification.payload, settings.publicUrl));
  const now = settings.now ?? new Date();
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Scrapedeck-Webhooks',
    'webhook-id': notification.messageId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(target.secret).sign(notification.messageId, now, body),
  };
  const answer = await guardedPost(new URL(target.url), { headers, body, allowPrivateTargets: settings.allowPrivateTargets });
  return httpOutcome(answer.statusCode, answer.response);
}
