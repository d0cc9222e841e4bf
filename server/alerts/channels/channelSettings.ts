/**
 * The rules a channel's settings follow by kind: WEBHOOK and SLACK post to an https URL (http only
 * where private targets are allowed), a WEBHOOK signs with a Standard Webhooks secret, EMAIL sends
 * to its recipients. Checked on the text here; the address a URL resolves to is checked again at
 * every send (outboundGuard.ts).
 */
import net from 'node:net';
import type { AlertChannelKind } from '../../db/generated/prisma/enums.ts';
import { isForbiddenAddress } from '../delivery/outboundGuard.ts';
import { ChannelSettingsError } from './errors.ts';
import { isWebhookSecret } from './webhookSecret.ts';

export type ChannelSettings = { url?: string | null; secret?: string | null; recipients?: string[] | null };

const POSTS_TO_URL: ReadonlySet<AlertChannelKind> = new Set(['WEBHOOK', 'SLACK']);

/**
 * Checks the settings given (left out: unchanged) against the channel's kind. `complete`: these are
 * all of a new channel's settings, so the ones its kind needs must be there.
 */
export function checkChannelSettings(kind: AlertChannelKind, settings: ChannelSettings, options: { allowPrivateTargets: boolean; complete: boolean }): void {
  const given = (value: unknown) => value !== undefined && value !== null;
  if (POSTS_TO_URL.has(kind)) {
    if (given(settings.url)) checkUrl(settings.url!, options.allowPrivateTargets);
    else if (options.complete || settings.url === null) throw new ChannelSettingsError('url', `is required for a ${kind} channel`);
    if (settings.recipients?.length) throw new ChannelSettingsError('recipients', `are for EMAIL channels, not ${kind}`);
  } else {
    if (given(settings.url)) throw new ChannelSettingsError('url', `is for WEBHOOK and SLACK channels, not ${kind}`);
    if (options.complete || given(settings.recipients)) {
      if (!settings.recipients?.length) throw new ChannelSettingsError('recipients', 'must name at least one address for an EMAIL channel');
    }
  }
  if (given(settings.secret)) {
    if (kind !== 'WEBHOOK') throw new ChannelSettingsError('secret', `is for WEBHOOK channels, not ${kind}`);
    if (!isWebhookSecret(settings.secret!)) throw new ChannelSettingsError('secret', 'must be a Standard Webhooks secret: whsec_ followed by the base64 of 24 to 64 bytes');
  }
}

function checkUrl(text: string, allowPrivateTargets: boolean): void {
  // The URL parser drops or encodes them, but the text is what is stored (and a NUL cannot be).
  if (/[\p{Cc}\s]/u.test(text)) throw new ChannelSettingsError('url', 'must not hold spaces or control characters');
  if (!URL.canParse(text)) throw new ChannelSettingsError('url', 'must be an absolute https URL');
  const url = new URL(text);
  if (url.protocol !== 'https:' && !(allowPrivateTargets && url.protocol === 'http:')) {
    throw new ChannelSettingsError('url', allowPrivateTargets ? 'must be an https or http URL' : 'must be an https URL');
  }
  if (url.username || url.password) throw new ChannelSettingsError('url', 'must not hold a user name or password');
  if (allowPrivateTargets) return;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const local = host === 'localhost' || host.endsWith('.localhost') || (net.isIP(host) !== 0 && isForbiddenAddress(host));
  if (local) throw new ChannelSettingsError('url', 'must not point at a loopback, private or link-local address');
}
