/**
 * The current time, renewed every `intervalMs`, for labels relative to now ("35 s ago") that must
 * keep moving while the page sits open. It re-renders only; it asks the server nothing. Every
 * component using one interval shares one timer, which stops when the last of them unmounts.
 */
import { useCallback, useSyncExternalStore } from 'react';

type Ticker = { now: number; listeners: Set<() => void>; timer: ReturnType<typeof setInterval> | null };
const tickers = new Map<number, Ticker>();

function tickerFor(intervalMs: number): Ticker {
  let ticker = tickers.get(intervalMs);
  if (!ticker) tickers.set(intervalMs, (ticker = { now: Date.now(), listeners: new Set(), timer: null }));
  return ticker;
}

export function useNow(intervalMs = 5_000): number {
  const subscribe = useCallback(
    (listener: () => void) => {
      const ticker = tickerFor(intervalMs);
      ticker.listeners.add(listener);
      if (!ticker.timer) {
        ticker.now = Date.now();
        ticker.timer = setInterval(() => {
          ticker.now = Date.now();
          ticker.listeners.forEach((l) => l());
        }, intervalMs);
      }
      return () => {
        ticker.listeners.delete(listener);
        if (ticker.listeners.size === 0 && ticker.timer) {
          clearInterval(ticker.timer);
          ticker.timer = null;
        }
      };
    },
    [intervalMs],
  );
  return useSyncExternalStore(subscribe, () => tickerFor(intervalMs).now);
}
