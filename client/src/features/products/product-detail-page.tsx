/** One product: its current values and state, and its history: what each run saw when it changed. Read again when a run ends. */
import { useCallback } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { Badge } from '@/components/badge';
import { StackTable, type Column } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { ProductChangeKind } from '@/gql/graphql';
import { useRefetchOnRunEnd } from '@/hooks/use-refetch-on-run-end';
import { DateTime } from '@/components/date-time';
import { formatPercentValue, formatPrice } from '@/lib/format';
import { usePageTitle } from '@/hooks/use-page-title';

const ProductDetailQuery = graphql(`
  query ProductDetail($id: ID!) {
    product(id: $id) {
      id
      name
      brand
      sku
      category
      rawCategory
      price
      thcPercent
      cbdPercent
      url
      firstSeenAt
      lastSeenAt
      goneAt
      goneRun {
        id
      }
      flagged
      published
      source {
        name
      }
      run {
        id
      }
      history(first: 100) {
        kind
        seenAt
        price
        thcPercent
        cbdPercent
        available
        run {
          id
        }
      }
    }
  }
`);

const KIND: Record<ProductChangeKind, { label: string; tone: 'info' | 'active' | 'neutral' | 'good' }> = {
  FIRST_SEEN: { label: 'First seen', tone: 'info' },
  CHANGED: { label: 'Changed', tone: 'active' },
  GONE: { label: 'Gone', tone: 'neutral' },
  RETURNED: { label: 'Back', tone: 'good' },
};
const HISTORY_COLUMNS: Column[] = ['When', 'What', { label: 'Price', numeric: true }, { label: 'THC', numeric: true }, { label: 'CBD', numeric: true }, 'Available', 'Run'];

export function ProductDetailPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProductDetailQuery, variables: { id } });
  usePageTitle(data?.product?.name ?? `Product #${id}`, 'Products');
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRunEnd(refetch);

  if (error) return <ErrorMessage error={error} retry={refetch} />;
  if (!data) return fetching ? <Loading /> : null;
  const product = data.product;
  if (!product) return <ErrorMessage error={`There is no product #${id}.`} />;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/products">Products</Link> / {product.sku}
      </p>
      <div className="title-row">
        <h1>{product.name}</h1>
        <span className="badges badges--inline" data-testid="product-state">
          {product.goneAt ? <Badge tone="neutral">Gone</Badge> : <Badge tone="good">Listed</Badge>}
          {product.flagged && <Badge tone="warn">Flagged</Badge>}
          {!product.published && <Badge tone="info">Not published</Badge>}
        </span>
      </div>
      <dl className="facts facts--wide">
        <dt>Source</dt>
        <dd>{product.source.name}</dd>
        <dt>Brand</dt>
        <dd>{product.brand ?? '—'}</dd>
        <dt>SKU</dt>
        <dd className="break">{product.sku}</dd>
        <dt>Category</dt>
        <dd>
          {product.category ?? '—'}
          {product.rawCategory && product.rawCategory !== product.category && <span className="muted"> (scraped as “{product.rawCategory}”)</span>}
        </dd>
        <dt>Price</dt>
        <dd>{formatPrice(product.price)}</dd>
        <dt>THC / CBD</dt>
        <dd>
          {formatPercentValue(product.thcPercent)} / {formatPercentValue(product.cbdPercent)}
        </dd>
        <dt>First seen</dt>
        <dd><DateTime value={product.firstSeenAt} /></dd>
        <dt>Last seen</dt>
        <dd>
          <DateTime value={product.lastSeenAt} />
          {product.run && (
            <>
              {' by '}
              <Link to={`/runs/${product.run.id}`}>run #{product.run.id}</Link>
            </>
          )}
        </dd>
        {product.goneAt && (
          <>
            <dt>Gone</dt>
            <dd>
              <DateTime value={product.goneAt} />
              {product.goneRun && (
                <>
                  {': not listed by '}
                  <Link to={`/runs/${product.goneRun.id}`}>run #{product.goneRun.id}</Link>
                </>
              )}
            </dd>
          </>
        )}
        {product.url && (
          <>
            <dt>Page</dt>
            <dd className="break">
              {/^https?:\/\//i.test(product.url) ? (
                // Scraped text: only a web address becomes a link.
                <a href={product.url} rel="noreferrer noopener" target="_blank">
                  {product.url}
                </a>
              ) : (
                product.url
              )}
            </dd>
          </>
        )}
      </dl>
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <p className="muted">What runs saw of it, newest first: a run that saw the same values as the one before records nothing.</p>
        {product.history.length === 0 ? (
          <Empty>No history yet.</Empty>
        ) : (
          <StackTable columns={HISTORY_COLUMNS} caption="History" testId="product-history">
            {product.history.map((change, i) => (
              <tr key={`${change.seenAt}-${i}`} data-kind={change.kind}>
                <td data-label="When"><DateTime value={change.seenAt} /></td>
                <td data-label="What">
                  <Badge tone={KIND[change.kind].tone}>{KIND[change.kind].label}</Badge>
                </td>
                <td className="num" data-label="Price">
                  {formatPrice(change.price)}
                </td>
                <td className="num" data-label="THC">
                  {formatPercentValue(change.thcPercent)}
                </td>
                <td className="num" data-label="CBD">
                  {formatPercentValue(change.cbdPercent)}
                </td>
                <td data-label="Available">{change.available ? 'Yes' : 'No'}</td>
                <td data-label="Run">{change.run ? <Link to={`/runs/${change.run.id}`}>#{change.run.id}</Link> : '—'}</td>
              </tr>
            ))}
          </StackTable>
        )}
      </section>
    </>
  );
}
