/** Whether the screen is as narrow as the stylesheet's mobile layout (640 px), following resizes and rotations. */
import { useSyncExternalStore } from 'react';

const NARROW = '(max-width: 640px)';

function subscribe(onChange: () => void) {
  const query = window.matchMedia(NARROW);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

export function useNarrowScreen(): boolean {
  return useSyncExternalStore(subscribe, () => window.matchMedia(NARROW).matches);
}
