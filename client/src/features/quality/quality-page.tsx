/** Data quality: completeness, category distribution, price outliers and source freshness now, and per source over time. */
import { useCallback } from 'react';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { FreshnessBadge, type Tone } from '@/components/badge';
import { StackTable } from '@/components/stack-table';
import { StatCard } from '@/components/stat-card';
import { graphql } from '@/gql/gql';
import { useRefetchOnRunEnd } from '@/hooks/use-refetch-on-run-end';
import { DateTime } from '@/components/date-time';
import { formatAge, formatNumber, formatPercent } from '@/lib/format';
import { CategoryChart } from './category-chart';
import { SourceTrends } from './source-trends';
import { usePageTitle } from '@/hooks/use-page-title';

const QualityQuery = graphql(`
  query Quality {
    quality {
      missingFields {
        products
        missingThc
        missingThcRatio
        missingCbd
        missingCbdRatio
        missingBrand
        missingBrandRatio
      }
      categories {
        category
        count
      }
      outlierRule
      priceOutliers(limit: 100) {
        category
        price
        lowerBound
        upperBound
        product {
          id
          name
          sku
          source {
            name
          }
        }
      }
    }
    sources {
      id
      name
    }
    freshness {
      status
      ageSeconds
      lastDeliveredAt
      source {
        id
        name
        staleAfterMinutes
        criticalAfterMinutes
      }
    }
  }
`);

/** Up to 5% missing is fine, up to 20% worth a look, beyond that a problem. */
function severity(ratio: number): Tone {
  if (ratio <= 0.05) return 'good';
  if (ratio <= 0.2) return 'warn';
  return 'bad';
}

const money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function QualityPage() {
  usePageTitle('Data quality');
  const [{ data, fetching, error }, reexecute] = useQuery({ query: QualityQuery });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  // A run that ends delivers products: the figures are read again (runUpdated, no polling).
  useRefetchOnRunEnd(refetch);
  if (error) return <ErrorMessage error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  if (!data) return fetching ? <Loading /> : null;
  const { missingFields: m, categories, priceOutliers } = data.quality;
  const cards = [
    { label: 'Missing THC', count: m.missingThc, ratio: m.missingThcRatio },
    { label: 'Missing CBD', count: m.missingCbd, ratio: m.missingCbdRatio },
    { label: 'Missing brand', count: m.missingBrand, ratio: m.missingBrandRatio },
  ];

  return (
    <>
      <h1>Data quality</h1>
      <section aria-labelledby="completeness">
        <h2 id="completeness">Completeness</h2>
        {m.products === 0 ? (
          <Empty>No products scraped yet.</Empty>
        ) : (
          <div className="stat-grid">
            <StatCard label="Products" value={formatNumber(m.products)} />
            {cards.map((c) => (
              <StatCard key={c.label} label={c.label} value={formatPercent(c.ratio)} hint={`${formatNumber(c.count)} of ${formatNumber(m.products)} products`} tone={severity(c.ratio)} />
            ))}
          </div>
        )}
      </section>
      <section aria-labelledby="categories">
        <h2 id="categories">Categories</h2>
        {categories.length === 0 ? <Empty>No categories yet.</Empty> : <CategoryChart categories={categories} />}
      </section>
      {data.sources.length > 0 && <SourceTrends sources={data.sources} />}
      <section aria-labelledby="outliers">
        <h2 id="outliers">Price outliers</h2>
        <p className="muted" data-testid="outlier-rule">{data.quality.outlierRule} The cleanup queue flags the same products.</p>
        {priceOutliers.length === 0 ? (
          <Empty>No price outliers.</Empty>
        ) : (
          <StackTable columns={['Product', 'Source', 'Category', { label: 'Price', numeric: true }, { label: 'Expected range', numeric: true }]}>
            {priceOutliers.map((o) => (
              <tr key={o.product.id}>
                <td data-label="Product" className="text-cell">
                  {o.product.name} <span className="muted">{o.product.sku}</span>
                </td>
                <td data-label="Source" className="text-cell">{o.product.source.name}</td>
                <td data-label="Category" className="text-cell">{o.category}</td>
                <td className="num" data-label="Price">{money.format(o.price)}</td>
                <td className="num" data-label="Expected range">
                  {money.format(o.lowerBound)} – {money.format(o.upperBound)}
                </td>
              </tr>
            ))}
          </StackTable>
        )}
      </section>
      <section aria-labelledby="freshness">
        <h2 id="freshness">Source freshness</h2>
        {data.freshness.length === 0 ? (
          <Empty>No sources yet.</Empty>
        ) : (
          <StackTable columns={['Source', 'Status', 'Last delivered', 'Age', 'Stale / critical after']}>
            {data.freshness.map((f) => (
              <tr key={f.source.id}>
                <td data-label="Source" className="text-cell">{f.source.name}</td>
                <td data-label="Status">
                  <FreshnessBadge status={f.status} />
                </td>
                <td data-label="Last delivered"><DateTime value={f.lastDeliveredAt} /></td>
                <td data-label="Age">{formatAge(f.ageSeconds)}</td>
                <td data-label="Stale / critical after">
                  {f.source.staleAfterMinutes} / {f.source.criticalAfterMinutes} min
                </td>
              </tr>
            ))}
          </StackTable>
        )}
      </section>
    </>
  );
}
