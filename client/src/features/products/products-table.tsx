/** One row per product: name (to its page), source, category, price, THC/CBD, when last seen, and its state. */
import { Link } from 'react-router';
import { Badge } from '@/components/badge';
import { StackTable, type Column } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { ProductRowFragment } from '@/gql/graphql';
import { DateTime } from '@/components/date-time';
import { formatPercentValue, formatPrice } from '@/lib/format';

// Spread by the products query (codegen reads it from here).
graphql(`
  fragment ProductRow on Product {
    id
    name
    brand
    sku
    category
    price
    thcPercent
    cbdPercent
    lastSeenAt
    goneAt
    flagged
    published
    source {
      name
    }
  }
`);

const COLUMNS: Column[] = ['Product', 'Source', 'Category', { label: 'Price', numeric: true }, { label: 'THC / CBD', numeric: true }, 'Last seen', 'State'];

export function ProductsTable({ products }: { products: ProductRowFragment[] }) {
  return (
    <StackTable columns={COLUMNS} caption="Products" testId="products-table">
      {products.map((p) => (
        <tr key={p.id} data-product-id={p.id}>
          <td data-label="Product" className="text-cell">
            <span>
              <Link to={`/products/${p.id}`}>{p.name}</Link>
              <span className="muted cell-line">
                {p.brand ? `${p.brand} · ` : ''}
                {p.sku}
              </span>
            </span>
          </td>
          <td data-label="Source" className="text-cell">{p.source.name}</td>
          <td data-label="Category" className="text-cell">{p.category ?? '—'}</td>
          <td className="num" data-label="Price">
            {formatPrice(p.price)}
          </td>
          <td className="num" data-label="THC / CBD">
            {formatPercentValue(p.thcPercent)} / {formatPercentValue(p.cbdPercent)}
          </td>
          <td data-label="Last seen"><DateTime value={p.lastSeenAt} /></td>
          <td data-label="State">
            <span className="badges badges--inline">
              {p.goneAt ? <Badge tone="neutral">Gone</Badge> : <Badge tone="good">Listed</Badge>}
              {p.flagged && <Badge tone="warn">Flagged</Badge>}
              {!p.published && <Badge tone="info">Not published</Badge>}
            </span>
          </td>
        </tr>
      ))}
    </StackTable>
  );
}
