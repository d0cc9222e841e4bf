/** Whether times are shown in the browser's zone or in UTC: the person's choice, kept in localStorage and shared by every tab. */
import { useSyncExternalStore } from 'react';
import type { TimeZoneChoice } from '@/lib/format';

const KEY = 'scrapedeck.timeZone';
const listeners = new Set<() => void>();

function read(): TimeZoneChoice {
  try {
    return localStorage.getItem(KEY) === 'utc' ? 'utc' : 'local';
  } catch {
    return 'local';
  }
}

let current: TimeZoneChoice = read();

function timeZoneChoice(): TimeZoneChoice {
  return current;
}

export function setTimeZoneChoice(choice: TimeZoneChoice): void {
  localStorage.setItem(KEY, choice);
  current = choice;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab changing the choice changes it here too.
  const onStorage = (event: StorageEvent) => {
    if (event.key !== KEY) return;
    current = read();
    listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The choice, re-rendering the caller when it changes. */
export function useTimeZoneChoice(): TimeZoneChoice {
  return useSyncExternalStore(subscribe, timeZoneChoice);
}
