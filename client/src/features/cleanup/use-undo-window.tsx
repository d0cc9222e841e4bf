/**
 * What a cleanup action did, with an Undo for a few seconds. An action the server can reverse is
 * sent at once and undone by its inverse; one it cannot (approving a held run publishes it) is held
 * back until the window passes, and Undo simply never sends it. Leaving the page sends a held-back action.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export const UNDO_SECONDS = 6;

type Offer = { message: string; undo: () => void; commit?: () => void };

/** testId names the notice, one per list on the page. */
export function useUndoWindow(testId: string) {
  const [offer, setOffer] = useState<(Offer & { key: number }) | null>(null);
  const current = useRef<Offer | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const settle = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    current.current?.commit?.();
    current.current = null;
    setOffer(null);
  }, []);

  const offerUndo = useCallback(
    (next: Offer) => {
      settle();
      current.current = next;
      setOffer({ ...next, key: Date.now() });
      timer.current = setTimeout(settle, UNDO_SECONDS * 1000);
    },
    [settle],
  );

  const undo = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const taken = current.current;
    current.current = null;
    setOffer(null);
    taken?.undo();
  };

  useEffect(() => settle, [settle]);

  const notice = (
    <div className="undo-notice" role="status" aria-live="polite" data-testid={testId}>
      {offer && (
        <>
          <span>{offer.message}</span>{' '}
          <button type="button" className="button button--small" onClick={undo}>
            Undo
          </button>
        </>
      )}
    </div>
  );
  return { offerUndo, notice };
}
