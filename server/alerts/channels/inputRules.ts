/**
 * The zod rules for alert channel input: sizes and shapes. What a channel's kind needs (a URL, a
 * secret, recipients) is checked by checkChannelSettings, which also knows whether private targets
 * are allowed. No message quotes a value: the input may carry a secret.
 */
import { z } from 'zod';

const MAX_RECIPIENTS = 20;

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[^\p{Cc}]*$/u, 'must not hold control characters');
const url = z.string().max(2048, 'must be at most 2048 characters');
const secret = z.string().max(200, 'must be at most 200 characters');
const recipients = z
  .array(z.email('must be an email address').max(254, 'must be at most 254 characters'))
  .max(MAX_RECIPIENTS, `must name at most ${MAX_RECIPIENTS} addresses`)
  .refine((list) => new Set(list.map((r) => r.toLowerCase())).size === list.length, 'must not name an address twice');

export const createChannelInput = z.object({
  name,
  kind: z.enum(['WEBHOOK', 'SLACK', 'EMAIL']),
  url: url.nullish(),
  secret: secret.nullish(),
  recipients: recipients.nullish(),
});

export const updateChannelInput = z.object({
  name: name.nullish(),
  url: url.nullish(),
  secret: secret.nullish(),
  recipients: recipients.nullish(),
  enabled: z.boolean().nullish(),
});
