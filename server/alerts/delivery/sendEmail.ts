/**
 * Sends a notification by email through the configured SMTP server (SMTP_URL). An email channel
 * without one fails its attempt with an error saying so, and is retried like any other failure:
 * setting SMTP_URL and restarting lets the retries through.
 */
import { createTransport } from 'nodemailer';
import type { NotificationEventName, NotificationPayload } from '../notifications/queueNotifications.ts';
import { emailMessage } from './emailMessage.ts';
import type { SendOutcome } from './sendOutcome.ts';

/** Per stage of the SMTP exchange: about the deadline of an HTTP attempt. */
const SMTP_TIMEOUT_MS = 10_000;

type SmtpFailure = Error & { responseCode?: number; response?: string; code?: string };

export async function sendEmail(
  recipients: string[],
  notification: { event: NotificationEventName; payload: NotificationPayload },
  settings: { publicUrl: string; smtpUrl: string | undefined; from: string },
): Promise<SendOutcome> {
  if (!settings.smtpUrl) return { ok: false, statusCode: null, response: null, error: 'no SMTP server is configured: set SMTP_URL to send email' };
  const message = emailMessage(notification.event, notification.payload, settings.publicUrl);
  const transport = createTransport({
    url: settings.smtpUrl,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({ from: settings.from, to: recipients, ...message });
    return { ok: true, statusCode: replyCode(info.response), response: info.response.slice(0, 1024), error: null };
  } catch (error) {
    const failure = error as SmtpFailure;
    return {
      ok: false,
      statusCode: failure.responseCode ?? null,
      response: failure.response ? withoutSecrets(failure.response, settings.smtpUrl).slice(0, 1024) : null,
      error: `SMTP: ${withoutSecrets(failure.message, settings.smtpUrl)}`.slice(0, 500),
    };
  } finally {
    transport.close();
  }
}

const replyCode = (response: string): number | null => {
  const code = /^\d{3}/.exec(response);
  return code ? Number(code[0]) : null;
};

/** An SMTP error quotes the server, which could echo what it was sent: the URL's credentials never reach a record. */
function withoutSecrets(text: string, smtpUrl: string): string {
  const url = new URL(smtpUrl);
  let clean = text;
  for (const secret of [url.password, decodeURIComponent(url.password), url.username, decodeURIComponent(url.username)]) {
    if (secret.length >= 3) clean = clean.replaceAll(secret, '[redacted]');
  }
  return clean;
}
