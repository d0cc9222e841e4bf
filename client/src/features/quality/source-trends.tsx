/**
 * Data quality over time for one source (sourceTrends; days in UTC): the share of products missing
 * each field, and the category drift score per day with the categories that moved most on the latest
 * day that has one. The source and the period are in the address; a run that ends reads them again.
 */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ErrorMessage, Loading } from '@/components/async-state';
import { shortDay } from '@/components/charts/days';
import { describeTrend } from '@/components/charts/describe-trend';
import { TrendChart } from '@/components/charts/trend-chart';
import { StackTable } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import { useRefetchOnRunEnd } from '@/hooks/use-refetch-on-run-end';
import { formatPercent } from '@/lib/format';

const SourceTrendsQuery = graphql(`
  query SourceTrends($sourceId: ID!, $days: Int!) {
    sourceTrends(sourceId: $sourceId, days: $days) {
      timezone
      days {
        day
        products
        missing {
          field
          share
        }
        drift
        driftCategories {
          category
          share
          trailingShare
          change
        }
      }
    }
  }
`);

const PERIODS = [7, 30, 90] as const;
const SHARE: [number, number] = [0, 1];
const percent = (value: number) => formatPercent(value);
const score = (value: number) => value.toFixed(3);
const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${formatPercent(Math.abs(value))}`;

export function SourceTrends({ sources }: { sources: Array<{ id: string; name: string }> }) {
  const [params, setParams] = useSearchParams();
  const sourceId = sources.some((s) => s.id === params.get('source')) ? params.get('source')! : sources[0]!.id;
  const asked = Number(params.get('days'));
  const days = (PERIODS as readonly number[]).includes(asked) ? asked : 30;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: SourceTrendsQuery, variables: { sourceId, days } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRunEnd(refetch);
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    setParams(next, { replace: true, preventScrollReset: true });
  };

  const view = useMemo(() => {
    const trends = data?.sourceTrends;
    if (!trends) return null;
    const dayList = trends.days.map((d) => d.day);
    const fields = [...new Set(trends.days.flatMap((d) => d.missing.map((m) => m.field)))];
    // A day without products has no share to show (a gap), not 0% missing.
    const missing = fields.map((field) => ({
      label: `Missing ${field}`,
      values: trends.days.map((d) => (d.products === 0 ? null : (d.missing.find((m) => m.field === field)?.share ?? 0))),
    }));
    const drift = trends.days.map((d) => d.drift ?? null);
    const latest = [...trends.days].reverse().find((d) => d.drift != null && d.driftCategories.length > 0) ?? null;
    return { timezone: trends.timezone, days: dayList, missing, drift, latest };
  }, [data]);

  return (
    <section aria-labelledby="quality-trends">
      <h2 id="quality-trends">Trends</h2>
      <div className="filters">
        <label>
          Source
          <select value={sourceId} onChange={(e) => set('source', e.target.value)}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <div className="period-switch period-switch--inline" role="group" aria-label="Period">
          {PERIODS.map((period) => (
            <button key={period} type="button" className="button button--small" aria-pressed={period === days} onClick={() => set('days', String(period))}>
              {period} days
            </button>
          ))}
        </div>
      </div>
      {error ? (
        <ErrorMessage error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : !view ? (
        fetching && <Loading />
      ) : (
        <div className="chart-grid">
          <TrendChart
            testId="chart-completeness"
            title="Completeness: share of products missing each field"
            days={view.days}
            timezone={view.timezone}
            series={view.missing}
            format={percent}
            range={SHARE}
            summary={view.missing.length === 0 ? 'No products in these days.' : view.missing.map((s) => describeTrend(s.label, view.days, s.values, percent)).join(' ')}
          />
          <div className="chart-with-notes">
            <TrendChart
              testId="chart-drift"
              title="Category drift (Jensen–Shannon divergence against the 7 days before)"
              days={view.days}
              timezone={view.timezone}
              series={[{ label: 'Drift score', values: view.drift }]}
              format={score}
              summary={`${describeTrend('Drift score (0 = same mix, 1 = nothing in common)', view.days, view.drift, score)}`}
            />
            {view.latest && (
              <div className="drift-notes" data-testid="drift-categories">
                <h3>Moved most on {shortDay(view.latest.day)}</h3>
                <StackTable columns={['Category', { label: 'Share that day', numeric: true }, { label: 'Share the 7 days before', numeric: true }, { label: 'Change', numeric: true }]}>
                  {view.latest.driftCategories.map((c) => (
                    <tr key={c.category}>
                      <td data-label="Category" className="text-cell">{c.category}</td>
                      <td className="num" data-label="Share that day">{formatPercent(c.share)}</td>
                      <td className="num" data-label="Share the 7 days before">{formatPercent(c.trailingShare)}</td>
                      <td className="num" data-label="Change">{signed(c.change)}</td>
                    </tr>
                  ))}
                </StackTable>
              </div>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
