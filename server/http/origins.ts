/**
 * Which web origins may call /graphql from a browser (CORS_ORIGINS): Yoga's CORS options for HTTP,
 * and the same rule for websockets, whose upgrade carries the page's Origin but no CORS.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config.ts';

/** Yoga's `cors`: any origin without credentials (bearer tokens are never ambient), none, or these. */
export function corsOptions(allowed: Config['corsOrigins']) {
  if (allowed === '*') return { origin: '*', credentials: false };
  return allowed.length === 0 ? false : { origin: allowed, credentials: false };
}

/**
 * A request without an Origin (not a browser), from the server's own origin (the admin), or from
 * an allowed one. Behind a proxy that rewrites Host (TRUST_PROXY), its X-Forwarded-Host names the
 * origin's host.
 */
export function originAllowed(req: IncomingMessage, allowed: Config['corsOrigins'], trustProxy: boolean): boolean {
  const origin = req.headers.origin;
  if (allowed === '*' || !origin) return true;
  const forwarded = trustProxy ? req.headers['x-forwarded-host'] : undefined;
  const hosts = [req.headers.host, ...(Array.isArray(forwarded) ? forwarded : [forwarded])].filter((host): host is string => Boolean(host));
  const own = hosts.some((host) => origin === `http://${host}` || origin === `https://${host}`);
  return own || allowed.includes(origin);
}
