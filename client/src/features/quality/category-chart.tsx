/** Products per category as horizontal bars; the numbers are in the text too, not only in the bar length. */
import { formatNumber } from '@/lib/format';
export function CategoryChart({ categories }: { categories: Array<{ category: string | null; count: number }> }) {
  const max = Math.max(...categories.map((c) => c.count), 1);
  return (
    <ul className="bar-chart" aria-label="Products per category">
      {categories.map((c) => (
        <li key={c.category ?? ''} className="bar-chart__row">
          <span className="bar-chart__label">{c.category ?? 'Uncategorised'}</span>
          <span className="bar-chart__track" aria-hidden="true">
            <span className="bar-chart__bar" style={{ width: `${(c.count / max) * 100}%` }} />
          </span>
          <span className="bar-chart__value">{formatNumber(c.count)}</span>
        </li>
      ))}
    </ul>
  );
}
