/**
 * The products Scrapedeck stores: searched (accent-insensitively, on the server), filtered, sorted
 * and paged with cursors, all in the address; exported as CSV or NDJSON with the same filter. Read
 * again when a run ends.
 */
import { useCallback, useMemo } from 'react';
import { useUrlParams } from '@/hooks/use-url-params';
import { useClient, useQuery } from 'urql';
import { Empty, ErrorMessage, Loading } from '@/components/async-state';
import { ExportButtons } from '@/components/export-buttons';
import { Pager } from '@/components/pager';
import { graphql } from '@/gql/gql';
import type { ProductFilter, ProductSort, SortDirection } from '@/gql/graphql';
import { useRefetchOnRunEnd } from '@/hooks/use-refetch-on-run-end';
import { formatRange } from '@/lib/format';
import { ProductFilters, type FilterKey } from './product-filters';
import { ProductsTable } from './products-table';
import { usePageTitle } from '@/hooks/use-page-title';

const ProductsQuery = graphql(`
  query Products($filter: ProductFilter, $sort: ProductSort, $direction: SortDirection, $first: Int, $after: String) {
    sources {
      id
      name
    }
    scrapers {
      id
      name
    }
    products(filter: $filter, sort: $sort, direction: $direction, first: $first, after: $after) {
      edges {
        node {
          ...ProductRow
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
      totalCountExact
    }
  }
`);

const ProductsExportQuery = graphql(`
  query ProductsExport($format: ExportFormat!, $filter: ProductFilter, $sort: ProductSort, $direction: SortDirection) {
    productsExport(format: $format, filter: $filter, sort: $sort, direction: $direction) {
      url
    }
  }
`);

const PAGE = 50;
const EXPORT_FORMATS = [
  { format: 'CSV', label: 'Export CSV' },
  { format: 'NDJSON', label: 'Export NDJSON' },
] as const;

/** "true"/"false" in the address as a Boolean filter; anything else leaves it out. */
const flag = (value: string | null) => (value === 'true' ? true : value === 'false' ? false : null);

export function ProductsPage() {
  usePageTitle('Products');
  const [params, updateParams] = useUrlParams();
  const trail = useMemo(() => params.getAll('after'), [params]);
  const after = trail.at(-1) ?? null;
  const sort = (params.get('sort') as ProductSort | null) ?? 'NAME';
  const direction = (params.get('dir') as SortDirection | null) ?? 'ASC';
  const filter = useMemo<ProductFilter>(
    () => ({
      search: params.get('q') || null,
      sourceId: params.get('source') || null,
      scraperId: params.get('scraper') || null,
      category: params.get('category') || null,
      flagged: flag(params.get('flagged')),
      published: flag(params.get('published')),
      gone: flag(params.get('gone')),
    }),
    [params],
  );

  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProductsQuery, variables: { filter, sort, direction, first: PAGE, after } });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRunEnd(refetch);
  const client = useClient();

  const setFilter = (key: FilterKey, value: string) =>
    updateParams(
      (next) => {
        if (value) next.set(key, value);
        else next.delete(key);
        // A new filter or order starts from its first page: the cursors belong to the old one.
        next.delete('after');
      },
      { replace: key === 'q' },
    );
  const page = (cursors: string[]) =>
    updateParams((next) => {
      next.delete('after');
      cursors.forEach((cursor) => next.append('after', cursor));
    });

  const exportLink = async (format: 'CSV' | 'NDJSON') => {
    const result = await client.query(ProductsExportQuery, { format, filter, sort, direction }, { requestPolicy: 'network-only' }).toPromise();
    if (!result.data) throw result.error ?? new Error('no link');
    return result.data.productsExport.url;
  };

  const products = data?.products.edges.map((e) => e.node) ?? [];
  return (
    <>
      <div className="title-row">
        <h1>Products</h1>
        <ExportButtons what="the products these filters select" formats={EXPORT_FORMATS} getLink={exportLink} />
      </div>
      <ProductFilters params={params} sources={data?.sources ?? []} scrapers={data?.scrapers ?? []} onChange={setFilter} />
      {error ? (
        <ErrorMessage error={error} retry={refetch} />
      ) : !data ? (
        fetching && <Loading />
      ) : (
        <>
          <p className="muted list-count" aria-live="polite" data-testid="products-count">
            {formatRange(trail.length * PAGE, products.length, data.products.totalCount, data.products.totalCountExact, 'product')}
          </p>
          {products.length === 0 ? <Empty>No products match these filters.</Empty> : <ProductsTable products={products} />}
        </>
      )}
      <Pager
        label="Pages of products"
        page={trail.length + 1}
        hasPrevious={trail.length > 0}
        hasNext={!!data?.products.pageInfo.hasNextPage}
        onPrevious={() => page(trail.slice(0, -1))}
        onNext={() => data?.products.pageInfo.endCursor && page([...trail, data.products.pageInfo.endCursor])}
      />
    </>
  );
}
