/**
 * The page's search parameters, changed from where the address is now rather than from the last
 * render: two changes made before the page renders again (a sort, then its order) both stay, where
 * building on the rendered parameters would have the second undo the first.
 */
import { useCallback } from 'react';
import { useSearchParams, type NavigateOptions } from 'react-router';

export function useUrlParams(): [URLSearchParams, (change: (next: URLSearchParams) => void, options?: NavigateOptions) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (change: (next: URLSearchParams) => void, options?: NavigateOptions) => {
      const next = new URLSearchParams(window.location.search);
      change(next);
      setParams(next, options);
    },
    [setParams],
  );
  return [params, update];
}
