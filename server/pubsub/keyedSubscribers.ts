/**
 * This instance's subscribers of one kind of live change. Each gets the keys that changed (a run,
 * a runner, or one key for "the queue"), each key once however often it changed while the client
 * was slow, in the order first seen: what it sends is read fresh when it sends it.
 */
import { releasable } from './releasable.ts';

type Subscriber<K, F> = { filter: F; pending: Set<K>; wake: (() => void) | null; closed: boolean };

export class KeyedSubscribers<K, F = undefined> {
  private readonly subscribers = new Set<Subscriber<K, F>>();

  get size(): number {
    return this.subscribers.size;
  }

  /** The filters of the subscribers open now. */
  filters(): F[] {
    return [...this.subscribers].map((s) => s.filter);
  }

  /** Yields each key delivered to this filter; onOpen runs once the subscriber is registered. */
  subscribe(filter: F, onOpen?: () => void): AsyncIterableIterator<K> {
    const s: Subscriber<K, F> = { filter, pending: new Set(), wake: null, closed: false };
    return releasable(this.stream(s, onOpen), () => this.close(s));
  }

  /** The key changed: every subscriber whose filter accepts it gets it. */
  deliver(key: K, accepts?: (filter: F) => boolean): void {
    for (const s of this.subscribers) {
      if (accepts && !accepts(s.filter)) continue;
      s.pending.add(key);
      s.wake?.();
    }
  }

  /** Ends every subscription (the instance is stopping). */
  closeAll(): void {
    for (const s of this.subscribers) this.close(s);
  }

  private close(s: Subscriber<K, F>): void {
    s.closed = true;
    s.wake?.();
  }

  private async *stream(s: Subscriber<K, F>, onOpen?: () => void): AsyncGenerator<K> {
    this.subscribers.add(s);
    onOpen?.();
    try {
      while (!s.closed) {
        const [key] = s.pending;
        if (key === undefined) {
          await new Promise<void>((resolve) => (s.wake = resolve));
          s.wake = null;
          continue;
        }
        s.pending.delete(key);
        yield key;
      }
    } finally {
      this.subscribers.delete(s);
    }
  }
}
