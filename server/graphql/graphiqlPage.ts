/**
 * GraphiQL's page, with its Content-Security-Policy written into it: the page is Yoga's (its code
 * and styles come from unpkg.com, its editor's workers from blob: URLs), and its two inline scripts
 * are allowed by their SHA-256 hashes, computed from the very page served, instead of allowing any
 * inline script.
 */
import { createHash } from 'node:crypto';
import { renderGraphiQL, type GraphiQLOptions } from 'graphql-yoga';

/** Where Yoga's GraphiQL page loads its code from: its own package's folder on unpkg, not all of unpkg. */
export const GRAPHIQL_CDN = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/"]+\//.exec(renderGraphiQL({}))?.[0] ?? 'https://unpkg.com/@graphql-yoga/graphiql/';
const FAVICON = 'https://raw.githubusercontent.com/graphql-hive/graphql-yoga/';

const hashOf = (script: string) => `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;

/** The inline scripts of a page, as the browser hashes them (the text between the tags). */
export function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
}

function graphiqlPolicy(html: string): string {
  return [
    "default-src 'none'",
    `script-src ${[...inlineScripts(html).map(hashOf), GRAPHIQL_CDN].join(' ')}`,
    // Its editor adds style elements as it runs.
    `style-src ${GRAPHIQL_CDN} 'unsafe-inline'`,
    `font-src ${GRAPHIQL_CDN} data:`,
    `img-src ${FAVICON} data:`,
    // The endpoint (same origin, over HTTP and websocket) and the editor's worker code.
    `connect-src 'self' ws: wss: ${GRAPHIQL_CDN}`,
    'worker-src blob:',
  ].join('; ');
}

/** Yoga's GraphiQL page with its policy as the first element of its head. */
export function renderGraphiQLWithPolicy(options: GraphiQLOptions): string {
  const html = renderGraphiQL(options);
  const meta = `<meta http-equiv="Content-Security-Policy" content="${graphiqlPolicy(html)}">`;
  return html.replace(/<head>/i, `<head>${meta}`);
}
