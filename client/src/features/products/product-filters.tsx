/**
 * The products page's search, filters and order. The search is sent once typing pauses; the rest
 * apply at once. Their values live in the address, so a filtered list can be linked to.
 */
import { useEffect, useRef, useState } from 'react';

export type FilterKey = 'q' | 'source' | 'scraper' | 'category' | 'flagged' | 'published' | 'gone' | 'sort' | 'dir';

const SEARCH_DELAY_MS = 300;

type Props = {
  params: URLSearchParams;
  sources: ReadonlyArray<{ id: string; name: string }>;
  scrapers: ReadonlyArray<{ id: string; name: string }>;
  onChange: (key: FilterKey, value: string) => void;
};

export function ProductFilters({ params, sources, scrapers, onChange }: Props) {
  const search = useDelayedText(params.get('q') ?? '', (value) => onChange('q', value.trim()));
  const category = useDelayedText(params.get('category') ?? '', (value) => onChange('category', value.trim()));
  const select = (key: FilterKey) => ({ value: params.get(key) ?? '', onChange: (e: React.ChangeEvent<HTMLSelectElement>) => onChange(key, e.target.value) });

  return (
    <form className="filters product-filters" role="search" aria-label="Find products" onSubmit={(e) => e.preventDefault()}>
      <label className="product-filters__search">
        Search
        <input type="search" {...search} placeholder="Name, brand or SKU" autoComplete="off" data-testid="product-search" />
      </label>
      <label>
        Source
        <select {...select('source')}>
          <option value="">All sources</option>
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Scraper
        <select {...select('scraper')}>
          <option value="">All scrapers</option>
          {scrapers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Category
        <input type="search" {...category} placeholder="e.g. edibles" autoComplete="off" />
      </label>
      <label>
        Listed
        <select {...select('gone')}>
          <option value="">Listed or gone</option>
          <option value="false">Still listed</option>
          <option value="true">Gone</option>
        </select>
      </label>
      <label>
        Flagged
        <select {...select('flagged')}>
          <option value="">Any</option>
          <option value="true">With a pending flag</option>
          <option value="false">Without</option>
        </select>
      </label>
      <label>
        Published
        <select {...select('published')}>
          <option value="">Any</option>
          <option value="true">Published</option>
          <option value="false">Not published</option>
        </select>
      </label>
      <label>
        Sort by
        <select {...select('sort')}>
          <option value="">Name</option>
          <option value="PRICE">Price</option>
          <option value="LAST_SEEN">Last seen</option>
        </select>
      </label>
      <label>
        Order
        <select {...select('dir')}>
          <option value="">Ascending</option>
          <option value="DESC">Descending</option>
        </select>
      </label>
    </form>
  );
}

/** A text field that reports its value once typing pauses, and follows the address when it changes (back, a link). */
function useDelayedText(current: string, report: (value: string) => void) {
  const [value, setValue] = useState(current);
  const reportRef = useRef(report);
  reportRef.current = report;
  const sent = useRef(current);
  useEffect(() => {
    if (current !== sent.current) {
      sent.current = current;
      setValue(current);
    }
  }, [current]);
  useEffect(() => {
    if (value.trim() === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = value.trim();
      reportRef.current(value);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [value]);
  return { value, onChange: (e: React.ChangeEvent<HTMLInputElement>) => setValue(e.target.value) };
}
