/**
 * The demo's webhook receiver: what a newcomer's own endpoint would do with Scrapedeck's alerts.
 * It verifies each delivery's Standard Webhooks signature, drops a repeat of a webhook-id it has
 * already taken (a retry whose first answer was lost), logs one line per delivery and lists the
 * latest ones at GET /.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Logger } from '../server/logger.ts';

type ReceivedDelivery = {
  webhookId: string | null;
  /** The envelope's `type`, when the body is JSON and has one. */
  type: string | null;
  title: string | null;
  verified: boolean;
  /** Why verification failed (never the secret or the signature). */
  rejection: string | null;
  receivedAt: string;
  /** Later deliveries with the same webhook-id, dropped. */
  repeats: number;
};

export type WebhookReceiver = {
  url: string;
  /** The latest deliveries, newest first. */
  deliveries(): ReceivedDelivery[];
  /** How many repeats of an already taken webhook-id were dropped. */
  repeatsDropped(): number;
  stop(): Promise<void>;
};

const KEPT_DELIVERIES = 50;
/** Ids outlive the list a while longer, so that a retry hours later is still recognised. */
const REMEMBERED_IDS = 1000;
const MAX_BODY_BYTES = 256 * 1024;

/** Listens on a port of 127.0.0.1 the kernel hands out: the demo's alert channel is updated to it on every start. */
export async function startWebhookReceiver(options: { secret: string; logger: Logger }): Promise<WebhookReceiver> {
  const { logger } = options;
  const verifier = new Webhook(options.secret);
  const kept: ReceivedDelivery[] = [];
  const taken = new Map<string, ReceivedDelivery>();
  let repeatsDropped = 0;

  function receive(body: Buffer, headers: IncomingMessage['headers']): { status: number; delivery: ReceivedDelivery } {
    const header = (name: string) => (typeof headers[name] === 'string' ? headers[name] : null);
    const webhookId = header('webhook-id');
    const envelope = parseEnvelope(body);
    const delivery: ReceivedDelivery = {
      webhookId,
      type: envelope.type,
      title: envelope.title,
      verified: false,
      rejection: null,
      receivedAt: new Date().toISOString(),
      repeats: 0,
    };
    try {
      verifier.verify(body, { 'webhook-id': webhookId ?? '', 'webhook-timestamp': header('webhook-timestamp') ?? '', 'webhook-signature': header('webhook-signature') ?? '' }, { jsonParse: false });
      delivery.verified = true;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      delivery.rejection = error.message;
    }

    const first = delivery.verified && webhookId ? taken.get(webhookId) : undefined;
    if (first) {
      // Already taken: answer as before so the sender stops, but act on it only once.
      first.repeats += 1;
      repeatsDropped += 1;
      logger.info({ webhookId, type: first.type, repeats: first.repeats }, 'demo webhook receiver dropped a repeated delivery');
      return { status: 200, delivery: first };
    }
    kept.unshift(delivery);
    kept.length = Math.min(kept.length, KEPT_DELIVERIES);
    if (delivery.verified && webhookId) {
      taken.set(webhookId, delivery);
      // A Map iterates in insertion order: the first key is the oldest.
      if (taken.size > REMEMBERED_IDS) taken.delete(taken.keys().next().value!);
    }
    if (delivery.verified) logger.info({ webhookId, type: delivery.type, title: delivery.title }, 'demo webhook receiver took a verified delivery');
    else logger.warn({ webhookId, rejection: delivery.rejection }, 'demo webhook receiver rejected a delivery that failed verification');
    return { status: delivery.verified ? 200 : 400, delivery };
  }

  function list(res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(`${JSON.stringify({ repeatsDropped, deliveries: kept }, null, 2)}\n`);
  }

  const server = createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') return list(res);
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      const { status, delivery } = receive(Buffer.concat(chunks), req.headers);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(delivery.verified ? { received: delivery.webhookId } : { error: delivery.rejection }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    deliveries: () => kept.map((delivery) => ({ ...delivery })),
    repeatsDropped: () => repeatsDropped,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The Standard Webhooks envelope is {type, timestamp, data}; what a body that is not one says is left out. */
function parseEnvelope(body: Buffer): { type: string | null; title: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { type: null, title: null };
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  if (typeof parsed !== 'object' || parsed === null) return { type: null, title: null };
  const envelope = parsed as { type?: unknown; title?: unknown; data?: { title?: unknown } | null };
  return { type: text(envelope.type), title: text(envelope.data?.title) ?? text(envelope.title) };
}
