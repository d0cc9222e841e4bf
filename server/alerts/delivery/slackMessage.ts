/**
 * A notification as a Slack Block Kit message for an incoming webhook: a header, what happened to
 * which scraper and why, expected against actual where there are figures, and buttons into the admin.
 */
import type { NotificationEventName, NotificationPayload } from '../notifications/queueNotifications.ts';
import { adminLinks } from './adminLinks.ts';
import { alertHeadline } from './alertEvent.ts';

/** Slack's limits: a header's text, a section's text and a field's text. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
/** mrkdwn treats &, < and > as markup: a scraper's name or an error message must not. */
const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const ICONS: Record<NotificationEventName, string> = { OPENED: ':rotating_light:', RESOLVED: ':white_check_mark:', TEST: ':wave:' };

type Block = Record<string, unknown>;

export function slackMessage(event: NotificationEventName, payload: NotificationPayload, publicUrl: string): { text: string; blocks: Block[] } {
  const headline = alertHeadline(event, payload);
  const links = adminLinks(publicUrl, payload);
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${escape(value)}`, FIELD_MAX) });
  const fields = [
    payload.scraper && field('Scraper', payload.scraper.name),
    payload.source && field('Source', payload.source.name),
    payload.runner && field('Runner', payload.runner.name),
    field('Reason', payload.reason),
    payload.expected !== null && field('Expected', String(payload.expected)),
    payload.actual !== null && field('Actual', String(payload.actual)),
  ].filter((f): f is { type: string; text: string } => Boolean(f));
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${headline}`, HEADER_MAX), emoji: true } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`${ICONS[event]} *${escape(payload.title)}*\n${escape(payload.detail)}`, SECTION_MAX) },
      // A section takes at most 10 fields.
      fields: fields.slice(0, 10),
    },
  ];
  const buttons = [
    links.run && { type: 'button', text: { type: 'plain_text', text: `Open run #${payload.run!.id}` }, url: links.run, action_id: 'open_run' },
    links.incident && { type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: links.incident, action_id: 'open_incident' },
  ].filter(Boolean);
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Scrapedeck · ${escape(payload.occurredAt)}` }] });
  // text: what a notification (and a client without blocks) shows; Slack reads it as mrkdwn too.
  return { text: clip(escape(`${headline}: ${payload.title}`), SECTION_MAX), blocks };
}
