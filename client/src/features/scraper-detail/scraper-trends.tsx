/**
 * A scraper's trends over 7, 30 or 90 days (the period is in the address): success rate, duration
 * p50/p95, products found, warning and error lines, each a chart with its text alternative.
 * Read again when one of its runs ends (`refresh` changes).
 */
import { useEffect, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { ErrorMessage, Loading } from '@/components/async-state';
import { describeTrend } from '@/components/charts/describe-trend';
import { TrendChart } from '@/components/charts/trend-chart';
import { graphql } from '@/gql/gql';
import { formatDuration, formatNumber, formatPercent } from '@/lib/format';

const ScraperTrendsQuery = graphql(`
  query ScraperTrends($scraperId: ID!, $days: Int!) {
    scraperTrends(scraperId: $scraperId, days: $days) {
      timezone
      days {
        day
        runs
        succeeded
        warned
        failed
        cancelled
        successRate
        durationP50
        durationP95
        productsFound
        warningLines
        errorLines
      }
    }
  }
`);

const PERIODS = [7, 30, 90] as const;
const SHARE: [number, number] = [0, 1];
const count = (value: number) => formatNumber(Math.round(value));

export function ScraperTrendsSection({ scraperId, refresh }: { scraperId: string; refresh: number }) {
  const [params, setParams] = useSearchParams();
  const asked = Number(params.get('days'));
  const days = (PERIODS as readonly number[]).includes(asked) ? asked : 30;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ScraperTrendsQuery, variables: { scraperId, days } });
  useEffect(() => {
    if (refresh > 0) reexecute({ requestPolicy: 'network-only' });
  }, [refresh, reexecute]);

  const charts = useMemo(() => {
    const trends = data?.scraperTrends;
    if (!trends) return null;
    const dayList = trends.days.map((d) => d.day);
    const pick = <K extends keyof (typeof trends.days)[number]>(key: K) => trends.days.map((d) => d[key]);
    const rate = pick('successRate');
    const p50 = pick('durationP50');
    const p95 = pick('durationP95');
    const products = pick('productsFound');
    const warnings = pick('warningLines');
    const errors = pick('errorLines');
    const runs = trends.days.reduce((sum, d) => sum + d.runs, 0);
    return {
      timezone: trends.timezone,
      days: dayList,
      runs,
      list: [
        { key: 'success', title: 'Success rate', series: [{ label: 'Success rate', values: rate }], format: formatPercent as (v: number) => string, range: SHARE, summary: describeTrend('Success rate', dayList, rate, formatPercent) },
        {
          key: 'duration',
          title: 'Duration',
          series: [
            { label: 'p50', values: p50 },
            { label: 'p95', values: p95 },
          ],
          format: formatDuration as (v: number) => string,
          summary: `${describeTrend('Median (p50)', dayList, p50, formatDuration)} ${describeTrend('p95', dayList, p95, formatDuration)}`,
        },
        { key: 'products', title: 'Products found', series: [{ label: 'Products found', values: products }], format: count, summary: describeTrend('Products found', dayList, products, count) },
        {
          key: 'lines',
          title: 'Warnings and errors logged',
          series: [
            { label: 'Warning lines', values: warnings },
            { label: 'Error lines', values: errors },
          ],
          format: count,
          summary: `${describeTrend('Warning lines', dayList, warnings, count)} ${describeTrend('Error lines', dayList, errors, count)}`,
        },
      ],
    };
  }, [data]);

  const choose = (period: number) => {
    const next = new URLSearchParams(params);
    next.set('days', String(period));
    setParams(next, { replace: true, preventScrollReset: true });
  };

  return (
    <section aria-labelledby="trends-title">
      <h2 id="trends-title">Trends</h2>
      <div className="period-switch" role="group" aria-label="Period">
        {PERIODS.map((period) => (
          <button key={period} type="button" className="button button--small" aria-pressed={period === days} onClick={() => choose(period)}>
            {period} days
          </button>
        ))}
      </div>
      {error ? (
        <ErrorMessage error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      ) : !charts ? (
        fetching && <Loading />
      ) : (
        <>
          <p className="muted" data-testid="trend-total">
            {formatNumber(charts.runs)} {charts.runs === 1 ? 'run' : 'runs'} ended in these {days} days (days in {charts.timezone}).
          </p>
          <div className="chart-grid">
            {charts.list.map((chart) => (
              <TrendChart
                key={chart.key}
                testId={`chart-${chart.key}`}
                title={chart.title}
                days={charts.days}
                timezone={charts.timezone}
                series={chart.series}
                format={chart.format}
                range={chart.range}
                summary={chart.summary}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
