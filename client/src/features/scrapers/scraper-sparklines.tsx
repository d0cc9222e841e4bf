/** A scraper card's 7-day sparklines of success rate and products found, each labelled in words. */
import { Sparkline } from '@/components/charts/sparkline';
import { describeTrend } from '@/components/charts/describe-trend';
import { graphql } from '@/gql/gql';
import type { ScraperSparklinesFragment } from '@/gql/graphql';
import { formatNumber, formatPercent } from '@/lib/format';

// Spread by the scrapers page's query, through Scraper.trends (read for every card at once).
graphql(`
  fragment ScraperSparklines on ScraperTrends {
    timezone
    days {
      day
      successRate
      productsFound
    }
  }
`);

const SHARE: [number, number] = [0, 1];
const count = (value: number) => formatNumber(value);

export function ScraperSparklines({ trends }: { trends: ScraperSparklinesFragment }) {
  const days = trends.days.map((d) => d.day);
  const rate = trends.days.map((d) => d.successRate);
  const products = trends.days.map((d) => d.productsFound);
  const zone = ` Days in ${trends.timezone}.`;
  return (
    <div className="sparklines">
      <figure>
        <figcaption>Success, 7 days</figcaption>
        <Sparkline days={days} values={rate} range={SHARE} label={describeTrend('Success rate over 7 days', days, rate, formatPercent) + zone} testId="sparkline-success" />
      </figure>
      <figure>
        <figcaption>Products, 7 days</figcaption>
        <Sparkline days={days} values={products} label={describeTrend('Products found over 7 days', days, products, count) + zone} testId="sparkline-products" />
      </figure>
    </div>
  );
}
