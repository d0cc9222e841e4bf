import { describe, expect, it } from 'vitest';
import { checkChannelSettings } from '../../server/alerts/channels/channelSettings.ts';
import { maskedUrl } from '../../server/alerts/channels/maskedUrl.ts';
import { generateWebhookSecret, isWebhookSecret } from '../../server/alerts/channels/webhookSecret.ts';
import { alertEvent } from '../../server/alerts/delivery/alertEvent.ts';
import { slackMessage } from '../../server/alerts/delivery/slackMessage.ts';
import { emailMessage } from '../../server/alerts/delivery/emailMessage.ts';
import type { NotificationPayload } from '../../server/alerts/notifications/queueNotifications.ts';

const strict = { allowPrivateTargets: false, complete: true };

const payload: NotificationPayload = {
  title: 'Shop <b>&</b> co failed',
  reason: 'RUN_ERROR',
  detail: 'The run ended ERROR: <timeout>',
  incidentId: 7,
  ruleId: 3,
  scraper: { id: 1, slug: 'shop', name: 'Shop <b>' },
  source: null,
  runner: null,
  run: { id: 99, status: 'ERROR' },
  expected: null,
  actual: null,
  occurredAt: '2026-12-06T12:00:00.000Z',
};

describe('channel settings', () => {
  it('takes what each kind needs', () => {
    expect(() => checkChannelSettings('WEBHOOK', { url: 'https://hooks.example.test/a', secret: generateWebhookSecret() }, strict)).not.toThrow();
    expect(() => checkChannelSettings('SLACK', { url: 'https://hooks.slack.com/services/T/B/X' }, strict)).not.toThrow();
    expect(() => checkChannelSettings('EMAIL', { recipients: ['a@example.test'] }, strict)).not.toThrow();
  });

  it('refuses a URL holding control characters or spaces with a ChannelSettingsError naming the field, not the value', () => {
    for (const url of ['https://hooks.example.test/T/B/SECRET\u0000', 'https://hooks.example.test/a b', 'https://hooks.example.test/a\r\nb', ' https://hooks.example.test/a']) {
      for (const policy of [strict, { allowPrivateTargets: true, complete: true }]) {
        const refusal = (() => {
          try {
            checkChannelSettings('SLACK', { url }, policy);
          } catch (error) {
            return error as Error;
          }
          return null;
        })();
        expect(refusal).toMatchObject({ name: 'ChannelSettingsError', field: 'url', message: 'url must not hold spaces or control characters' });
        expect(refusal!.message).not.toContain('SECRET');
      }
    }
  });

  it('allows http and private hosts only where private targets are allowed', () => {
    expect(() => checkChannelSettings('WEBHOOK', { url: 'http://127.0.0.1:9000/a' }, strict)).toThrow('url must be an https URL');
    expect(() => checkChannelSettings('WEBHOOK', { url: 'http://127.0.0.1:9000/a' }, { allowPrivateTargets: true, complete: true })).not.toThrow();
    expect(() => checkChannelSettings('WEBHOOK', { url: 'https://192.168.0.10/a' }, strict)).toThrow('must not point at a loopback');
    expect(() => checkChannelSettings('WEBHOOK', { url: 'https://app.localhost/a' }, strict)).toThrow('must not point at a loopback');
  });

  it('checks on update only what is given, but never lets a required setting be removed', () => {
    const partial = { allowPrivateTargets: false, complete: false };
    expect(() => checkChannelSettings('WEBHOOK', {}, partial)).not.toThrow();
    expect(() => checkChannelSettings('WEBHOOK', { url: null }, partial)).toThrow('url is required');
    expect(() => checkChannelSettings('EMAIL', { recipients: [] }, partial)).toThrow('recipients must name at least one address');
  });

  it('never quotes the value it refuses', () => {
    const secretUrl = 'http://hooks.example.test/services/SECRETPATH';
    expect(() => checkChannelSettings('SLACK', { url: secretUrl }, strict)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('SECRETPATH') }));
    expect(() => checkChannelSettings('WEBHOOK', { url: 'https://h.example.test', secret: 'whsec_hunter2' }, strict)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});

describe('webhook secrets and masked URLs', () => {
  it('makes Standard Webhooks secrets of 32 random bytes and knows one when it sees one', () => {
    const secret = generateWebhookSecret();
    expect(isWebhookSecret(secret)).toBe(true);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(16).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret(`sk_${Buffer.alloc(32).toString('base64')}`)).toBe(false);
  });

  it('masks a URL to its scheme and host', () => {
    expect(maskedUrl('https://hooks.slack.com/services/T0/B0/secret')).toBe('https://hooks.slack.com/…');
    expect(maskedUrl('https://h.example.test:8443/a?token=x')).toBe('https://h.example.test:8443/…');
    expect(maskedUrl('not a url')).toBe('…');
  });
});

describe('rendered notifications', () => {
  it('gives webhooks a typed event with links into the admin', () => {
    expect(alertEvent('RESOLVED', payload, 'https://admin.example.test')).toEqual({
      type: 'incident.resolved',
      timestamp: payload.occurredAt,
      data: { ...payload, event: 'RESOLVED', links: { run: 'https://admin.example.test/runs/99', incident: 'https://admin.example.test/alerts?incident=7' } },
    });
  });

  it('escapes what Slack and HTML would read as markup', () => {
    const slack = slackMessage('OPENED', payload, 'https://admin.example.test');
    const mrkdwn = [slack.text, ...slack.blocks.filter((b) => b.type === 'section').map((b) => JSON.stringify(b))].join('\n');
    expect(mrkdwn).toContain('Shop &lt;b&gt;&amp;&lt;/b&gt; co failed');
    expect(mrkdwn).toContain('&lt;timeout&gt;');
    expect(mrkdwn).not.toContain('<b>');
    const email = emailMessage('OPENED', payload, 'https://admin.example.test');
    expect(email.html).toContain('<h2>Shop &lt;b&gt;&amp;&lt;/b&gt; co failed</h2>');
    expect(email.text).toContain('Shop <b>&</b> co failed');
    expect(email.subject).toBe('[Scrapedeck] Incident opened · Shop <b> · RUN_ERROR');
  });
});
