/** Names the page in the browser's title (its tab, history and what a screen reader announces first), most specific part first. */
import { useEffect } from 'react';

const APP = 'Scrapedeck';

/** Sets document.title to the parts given, then the app's name, joined by " · "; empty parts are left out. */
export function usePageTitle(...parts: (string | null | undefined)[]): void {
  const title = [...parts.filter((part): part is string => Boolean(part)), APP].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
