/** Posts a notification to a Slack incoming webhook (whose URL is its secret). */
import type { NotificationEventName, NotificationPayload } from '../notifications/queueNotifications.ts';
import { guardedPost } from './guardedPost.ts';
import { httpOutcome, type SendOutcome } from './sendOutcome.ts';
import { slackMessage } from './slackMessage.ts';

export async function sendSlack(
  url: string,
  notification: { event: NotificationEventName; payload: NotificationPayload },
  settings: { publicUrl: string; allowPrivateTargets: boolean },
): Promise<SendOutcome> {
  const body = JSON.stringify(slackMessage(notification.event, notification.payload, settings.publicUrl));
  const answer = await guardedPost(new URL(url), {
    headers: { 'content-type': 'application/json', 'user-agent': 'Scrapedeck-Webhooks' },
    body,
    allowPrivateTargets: settings.allowPrivateTargets,
  });
  return httpOutcome(answer.statusCode, answer.response);
}
