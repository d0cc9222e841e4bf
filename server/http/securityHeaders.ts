/**
 * The headers every response carries, and the Content-Security-Policy of each kind of page: the
 * admin loads code, styles and data from its own origin only (its websocket included), with no
 * inline script; API answers are data that nothing may render or frame; GraphiQL, where it is on,
 * gets what its page needs (see graphiqlPage.ts), and no more.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** On every response, refusals included. */
const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // For browsers older than frame-ancestors.
  'x-frame-options': 'DENY',
};

/** A host name or address, with its port if any: what a Host header may hold. */
export const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The page's own host, for websocket sources ('self' does not cover ws: in every browser). */
function hostOf(req: IncomingMessage): string | null {
  const host = req.headers.host;
  // Only a plain host[:port] goes into a header: anything else would let a client shape the policy.
  return host && PLAIN_HOST.test(host) ? host : null;
}

const ownSockets = (req: IncomingMessage) => {
  const host = hostOf(req);
  return host ? ` ws://${host} wss://${host}` : '';
};

export function adminPolicy(req: IncomingMessage): string {
  const sockets = ownSockets(req);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** For JSON, /healthz and /metrics: nothing to run, nothing to frame. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * The header half of GraphiQL's policy: what a meta tag cannot say (frame-ancestors), and its
 * websocket narrowed to this host. Its page brings the rest as a meta tag (its scripts' hashes);
 * a browser enforces both. cdn: where the page loads its code from (GRAPHIQL_CDN).
 */
export function graphiqlHeaderPolicy(req: IncomingMessage, cdn: string): string {
  return `frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'; connect-src 'self'${ownSockets(req)} ${cdn}`;
}

export function setSecurityHeaders(res: ServerResponse, policy: string): void {
  for (const [name, value] of Object.entries(COMMON)) res.setHeader(name, value);
  res.setHeader('content-security-policy', policy);
}

/** The same, with the data-only policy, for answers written before any route (raw refusals, the drain's 503). */
export const REFUSAL_HEADERS: Record<string, string> = { ...COMMON, 'content-security-policy': API_POLICY };
