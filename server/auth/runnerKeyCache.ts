/**
 * The runner keys this instance has found valid, so that a fleet's calls (an idle runner's claim at
 * every wait, a busy one's log batches) cost no key lookup each. Revocation stays immediate:
 * - revoking a runner, rotating its key or setting its labels NOTIFYs at commit (credentials_revoked,
 *   runner_changed), and every instance forgets that runner on arrival; the instance that made the
 *   change forgets it before answering;
 * - a lookup that was in flight when something was forgotten is not kept, as it may predate the change;
 * - nothing is trusted while the LISTEN connection is away (a change may be announced then), and the
 *   whole cache is dropped when it comes back.
 * A runner's last_seen_at, which the lookup touched, is touched by RunnerSightings for a hit.
 */
import type { PgListener } from '../db/listener.ts';
import { CREDENTIALS_REVOKED_CHANNEL } from './openConnections.ts';

/** NOTIFYed with a runner's id when what its key stands for changes without revoking it (its labels). */
export const RUNNER_CHANGED_CHANNEL = 'runner_changed';

export type RunnerIdentity = { runnerId: number; runnerName: string; labels: string[] };

/** Enough for the largest fleets; past it the oldest entries go, and their runners are looked up again. */
const MAX_ENTRIES = 100_000;
/** A bound on trust in any one lookup, whatever the notifications did. */
const ENTRY_TTL_MS = 5 * 60_000;

type Entry = { identity: RunnerIdentity; storedAt: number };

export class RunnerKeyCache {
  private readonly byKeyHash = new Map<string, Entry>();
  private readonly disposers: Array<() => unknown> = [];
  /** Bumped by every forgetting: a lookup that began under an older generation is not stored. */
  private generation = 0;
  /** Keys answered from here, and looked up (a metric: how much of a fleet's auth the cache takes). */
  readonly answered = { kept: 0, lookedUp: 0 };
  private readonly listener: PgListener;
  private readonly now: () => number;

  constructor(listener: PgListener, options: { now?: () => number } = {}) {
    this.listener = listener;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    const forgetRunner = (payload: string) => {
      const match = /^(?:runner:)?(\d+)$/.exec(payload);
      if (match) this.forget(Number(match[1]));
    };
    this.disposers.push(await this.listener.on(CREDENTIALS_REVOKED_CHANNEL, forgetRunner));
    this.disposers.push(await this.listener.on(RUNNER_CHANGED_CHANNEL, forgetRunner));
    this.disposers.push(this.listener.onReconnect(() => this.clear()));
  }

  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) await dispose();
    this.clear();
  }

  get size(): number {
    return this.byKeyHash.size;
  }

  /** The runner a key hash stood for at its last lookup; undefined when it must be looked up. */
  get(keyHash: string): RunnerIdentity | undefined {
    const entry = this.listener.connected ? this.byKeyHash.get(keyHash) : undefined;
    if (entry && this.now() - entry.storedAt <= ENTRY_TTL_MS) {
      this.answered.kept++;
      return entry.identity;
    }
    if (entry) this.byKeyHash.delete(keyHash);
    this.answered.lookedUp++;
    return undefined;
  }

  /** Marks the start of a lookup; pass the mark to set. */
  mark(): number {
    return this.generation;
  }

  /** Keeps a lookup's answer, unless something was forgotten since it began or no change could reach this instance. */
  set(keyHash: string, identity: RunnerIdentity, mark: number): void {
    if (mark !== this.generation || !this.listener.connected) return;
    if (this.byKeyHash.size >= MAX_ENTRIES) this.byKeyHash.delete(this.byKeyHash.keys().next().value!);
    this.byKeyHash.set(keyHash, { identity, storedAt: this.now() });
  }

  forget(runnerId: number): void {
    this.generation++;
    for (const [keyHash, entry] of this.byKeyHash) if (entry.identity.runnerId === runnerId) this.byKeyHash.delete(keyHash);
  }

  clear(): void {
    this.generation++;
    this.byKeyHash.clear();
  }
}
