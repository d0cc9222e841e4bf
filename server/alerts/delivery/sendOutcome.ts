/** What one delivery attempt came to, whichever the channel: recorded as a delivery_attempt. */
export type SendOutcome = {
  ok: boolean;
  /** The HTTP status or SMTP reply code; null when no answer came. */
  statusCode: number | null;
  /** At most about 1 KB of the answer. */
  response: string | null;
  error: string | null;
};

/** An HTTP answer as an outcome: 2xx delivered; anything else (a redirect too, which is never followed) failed. */
export function httpOutcome(statusCode: number, response: string): SendOutcome {
  const ok = statusCode >= 200 && statusCode < 300;
  return { ok, statusCode, response, error: ok ? null : `the receiver answered ${statusCode}` };
}
