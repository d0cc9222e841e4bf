/** A notification as an email: a subject naming the event, the subject and the reason; plain text and HTML bodies with links into the admin. */
import type { NotificationEventName, NotificationPayload } from '../notifications/queueNotifications.ts';
import { adminLinks } from './adminLinks.ts';
import { alertHeadline } from './alertEvent.ts';

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

export function emailMessage(event: NotificationEventName, payload: NotificationPayload, publicUrl: string): { subject: string; text: string; html: string } {
  const links = adminLinks(publicUrl, payload);
  const facts: Array<[string, string]> = [];
  if (payload.scraper) facts.push(['Scraper', `${payload.scraper.name} (${payload.scraper.slug})`]);
  if (payload.source) facts.push(['Source', payload.source.name]);
  if (payload.runner) facts.push(['Runner', payload.runner.name]);
  facts.push(['Reason', payload.reason]);
  if (payload.expected !== null || payload.actual !== null) facts.push(['Expected / actual', `${payload.expected ?? '–'} / ${payload.actual ?? '–'}`]);
  if (payload.run) facts.push(['Run', `#${payload.run.id} (${payload.run.status})`]);
  facts.push(['When', payload.occurredAt]);
  const linkList: Array<[string, string]> = [];
  if (links.run) linkList.push(['Open the run', links.run]);
  if (links.incident) linkList.push(['Open the incident', links.incident]);

  // Subjects are one line: a header injection is refused by nodemailer anyway, a long one is cut here.
  const subject = `[Scrapedeck] ${alertHeadline(event, payload)}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
  const text = [
    payload.title,
    '',
    payload.detail,
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    '',
    ...linkList.map(([label, url]) => `${label}: ${url}`),
  ].join('\n');
  const html = [
    `<h2>${escapeHtml(payload.title)}</h2>`,
    `<p>${escapeHtml(payload.detail)}</p>`,
    '<table>',
    ...facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    ...linkList.map(([label, url]) => `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>`),
  ].join('\n');
  return { subject, text, html };
}
