/** One figure with its label, optionally coloured by how good it is. */
import type { Tone } from './badge';

export function StatCard({ label, value, tone = 'neutral', hint }: { label: string; value: React.ReactNode; tone?: Tone; hint?: string }) {
  return (
    <div className={`stat-card stat-card--${tone}`}>
      <div className="stat-card__value">{value}</div>
      <div className="stat-card__label">{label}</div>
      {hint && <div className="stat-card__hint">{hint}</div>}
    </div>
  );
}
