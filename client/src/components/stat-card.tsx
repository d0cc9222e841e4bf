/** One figure with its label, optionally coloured by how good it is, and linked to the list it counts. */
import { Link } from 'react-router';
import type { Tone } from './badge';

export function StatCard({ label, value, tone = 'neutral', hint, to }: { label: string; value: React.ReactNode; tone?: Tone; hint?: string; to?: string }) {
  return (
    <div className={`stat-card stat-card--${tone}${to ? ' stat-card--link' : ''}`}>
      <div className="stat-card__value">{value}</div>
      <div className="stat-card__label">
        {/* The label is the link (a short, clear name), stretched over the card so all of it can be clicked. */}
        {to ? <Link to={to}>{label}</Link> : label}
      </div>
      {hint && <div className="stat-card__hint">{hint}</div>}
    </div>
  );
}
