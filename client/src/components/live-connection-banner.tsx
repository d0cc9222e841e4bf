/** Says on every page when live updates stopped because the connection dropped, and when they are back. */
import { useEffect, useState } from 'react';
import { useLiveConnection } from '@/hooks/use-live-connection';

/** How long "back" stays up: long enough to be read, then the page is as it was. */
const RESTORED_NOTICE_MS = 5_000;

export function LiveConnectionBanner() {
  const state = useLiveConnection();
  const [restoredShown, setRestoredShown] = useState(false);
  useEffect(() => {
    if (state !== 'restored') return;
    setRestoredShown(true);
    const timer = setTimeout(() => setRestoredShown(false), RESTORED_NOTICE_MS);
    return () => clearTimeout(timer);
  }, [state]);
  const text =
    state === 'lost'
      ? 'Live connection lost. Reconnecting… Figures on this page may be out of date.'
      : restoredShown
        ? 'Live connection is back: the page is up to date.'
        : '';
  // The region stays in the page so that screen readers announce its changes.
  return (
    <div role="status" data-testid="live-connection" className={text ? `live-banner live-banner--${state === 'lost' ? 'lost' : 'back'}` : 'live-banner'}>
      {text}
    </div>
  );
}
