/**
 * One outbound POST of an alert, under the outbound guard: the target checked at connect time, no
 * redirect followed (a 3xx is an answer like any other, and not a success), a deadline for the
 * whole exchange, and at most RESPONSE_LIMIT_BYTES of the answer kept.
 */
import http from 'node:http';
import https from 'node:https';
import { checkTarget, guardedLookup, OutboundRefusedError } from './outboundGuard.ts';

/** How much of a receiver's answer is kept: enough to read an error, not enough to store a page. */
export const RESPONSE_LIMIT_BYTES = 1024;
const DEFAULT_TIMEOUT_MS = 10_000;

export type PostAnswer = { statusCode: number; response: string };

export type PostOptions = {
  headers: Record<string, string>;
  body: string;
  allowPrivateTargets: boolean;
  timeoutMs?: number;
};

/**
 * Posts the body and resolves with the status and the start of the answer, whatever the status.
 * Rejects when no answer came: refused by the guard (OutboundRefusedError), the connection failed,
 * or the deadline passed. Error messages never hold the URL, which may carry a secret (Slack's does).
 */
export async function guardedPost(url: URL, options: PostOptions): Promise<PostAnswer> {
  checkTarget(url, options.allowPrivateTargets);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<PostAnswer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, answer?: PostAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve(answer!);
    };
    const request = transport.request(url, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
      // Private targets allowed: no address check, though the scheme was checked above.
      lookup: options.allowPrivateTargets ? undefined : guardedLookup,
      // A pooled socket would skip the lookup: every attempt resolves and checks the host again.
      agent: false,
    });
    const deadline = setTimeout(() => {
      request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => finish(describe(error)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => {
        response.destroy();
        finish(null, { statusCode: response.statusCode ?? 0, response: Buffer.concat(chunks).toString('utf8') });
      };
      response.on('data', (chunk: Buffer) => {
        const room = RESPONSE_LIMIT_BYTES - kept;
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept += Math.min(chunk.length, Math.max(room, 0));
        // The rest of a large answer is of no use: stop reading rather than wait for it.
        if (kept >= RESPONSE_LIMIT_BYTES) done();
      });
      response.on('end', done);
      response.on('error', (error) => finish(describe(error)));
    });
    request.end(options.body);
  });
}

/** A failure as an operator reads it, from its code: never Node's message, which may quote the target. */
function describe(error: NodeJS.ErrnoException): Error {
  if (error instanceof OutboundRefusedError) return error;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof OutboundRefusedError) return cause;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused',
    ECONNRESET: 'the connection was reset',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved (temporary DNS failure)',
    ETIMEDOUT: 'the connection timed out',
    EHOSTUNREACH: 'the host is unreachable',
    ENETUNREACH: 'the network is unreachable',
    EPROTO: 'the TLS handshake failed',
    CERT_HAS_EXPIRED: 'the TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'the TLS certificate is self-signed',
    SELF_SIGNED_CERT_IN_CHAIN: 'the TLS certificate chain is self-signed',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the TLS certificate could not be verified',
    ERR_TLS_CERT_ALTNAME_INVALID: 'the TLS certificate does not name the host',
  };
  if (error.code === 'EREFUSEDTARGET') return new OutboundRefusedError(error.message);
  if (error.code && reasons[error.code]) return new Error(reasons[error.code]);
  // Our own deadline's error, whose message we wrote.
  if (!error.code && /^no answer within/.test(error.message)) return new Error(error.message);
  return new Error(`the request failed${error.code ? ` (${error.code})` : ''}`);
}
