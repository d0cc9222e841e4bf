/**
 * The open graphql-ws connections of this instance, by the credential they authenticated with,
 * so that revoking a token or a runner (or rotating a runner's key) closes them at once. The
 * revoking statement NOTIFYs `credentials_revoked` at commit; every instance closes its own.
 * After the LISTEN connection comes back, every connection's credentials are checked again,
 * since a revocation may have been announced while it was away. A runner whose labels an admin
 * changes (`runner_changed`) has its connections closed too, with a code that asks it to come back:
 * its waits for work were taken under the old labels.
 */
import type { WebSocket } from 'ws';
import type { Database } from '../db/database.ts';
import type { PgListener } from '../db/listener.ts';
import type { Logger } from '../logger.ts';
import { resolvePrincipal, type Credentials, type Principal } from './principal.ts';
import { RUNNER_CHANGED_CHANNEL } from './runnerKeyCache.ts';

export const CREDENTIALS_REVOKED_CHANNEL = 'credentials_revoked';
/** The close code of a connection whose credentials are not (or no longer) valid. */
export const CLOSE_FORBIDDEN = 4403;
/** The close code of a runner's connection when an admin changed the runner: it reconnects, and waits under its new labels. */
const CLOSE_RUNNER_CHANGED = 4000;

/** `runner:<id>` or `token:<id>`: what the revoking statements NOTIFY; the bootstrap admin token cannot be revoked. */
export function credentialKey(principal: Principal): string | null {
  if (principal.kind === 'runner') return `runner:${principal.runnerId}`;
  if ((principal.kind === 'admin' || principal.kind === 'viewer') && principal.tokenId !== null) return `token:${principal.tokenId}`;
  return null;
}

type Connection = { socket: WebSocket; credentials: Credentials; key: string };

export class OpenConnections {
  private readonly byKey = new Map<string, Set<Connection>>();
  private readonly disposers: Array<() => unknown> = [];

  private readonly db: Database;
  private readonly adminToken: string;
  private readonly listener: PgListener;
  private readonly logger: Logger;

  constructor(
    db: Database,
    adminToken: string,
    listener: PgListener,
    logger: Logger,
  ) {
    this.db = db;
    this.adminToken = adminToken;
    this.listener = listener;
    this.logger = logger;
  }

  async start(): Promise<void> {
    this.disposers.push(await this.listener.on(CREDENTIALS_REVOKED_CHANNEL, (key) => this.close(key, 'Forbidden: the credentials were revoked')));
    this.disposers.push(await this.listener.on(RUNNER_CHANGED_CHANNEL, (id) => this.close(`runner:${id}`, 'Reconnect: the runner was changed', CLOSE_RUNNER_CHANGED)));
    this.disposers.push(this.listener.onReconnect(() => void this.recheckAll()));
  }

  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) await dispose();
  }

  /** Remembers an authenticated connection until its socket closes. */
  add(socket: WebSocket, principal: Principal, credentials: Credentials): void {
    const key = credentialKey(principal);
    if (!key) return;
    const connection = { socket, credentials, key };
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(connection);
    socket.once('close', () => {
      set.delete(connection);
      if (set.size === 0 && this.byKey.get(key) === set) this.byKey.delete(key);
    });
  }

  /** Closes every connection that authenticated with the credential; their subscriptions end with it. */
  close(key: string, reason: string, code = CLOSE_FORBIDDEN): number {
    const set = this.byKey.get(key);
    if (!set) return 0;
    for (const { socket } of set) socket.close(code, reason);
    this.logger.info({ credential: key, connections: set.size, code }, 'closed the websocket connections of a revoked or changed credential');
    return set.size;
  }

  private async recheckAll(): Promise<void> {
    for (const [key, set] of this.byKey) {
      for (const connection of set) {
        try {
          const principal = await resolvePrincipal(this.db, this.adminToken, connection.credentials);
          if (credentialKey(principal) !== key) connection.socket.close(CLOSE_FORBIDDEN, 'Forbidden: the credentials were revoked');
        } catch (error) {
          // The next reconnect checks again; until then the connection keeps what it had.
          this.logger.warn({ err: error, credential: key }, 'rechecking websocket credentials failed');
        }
      }
    }
  }
}
