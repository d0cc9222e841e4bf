/** A run's own quality summary: its products, those missing each scraped field, outliers and duplicates. */
import { StackTable } from '@/components/stack-table';
import { graphql } from '@/gql/gql';
import type { RunQualityFieldsFragment } from '@/gql/graphql';
import { formatNumber } from '@/lib/format';

// Spread by the run detail's fragment (codegen reads it from here).
graphql(`
  fragment RunQualityFields on RunQuality {
    productCount
    outliers
    duplicates
    missingFields {
      field
      missing
      percent
    }
  }
`);

export function RunQualitySummary({ quality }: { quality: RunQualityFieldsFragment }) {
  return (
    <section aria-labelledby="run-quality-title" data-testid="run-quality">
      <h2 id="run-quality-title">Quality of this run</h2>
      <p>
        {formatNumber(quality.productCount)} products · {formatNumber(quality.outliers)} price outliers · {formatNumber(quality.duplicates)} duplicates
      </p>
      {quality.missingFields.length > 0 && (
        <StackTable columns={['Field', { label: 'Missing', numeric: true }, { label: 'Share', numeric: true }]} caption="Products missing each scraped field">
          {quality.missingFields.map((f) => (
            <tr key={f.field}>
              <td data-label="Field" className="text-cell">{f.field}</td>
              <td className="num" data-label="Missing">
                {formatNumber(f.missing)}
              </td>
              <td className="num" data-label="Share">
                {Math.round(f.percent * 10) / 10}%
              </td>
            </tr>
          ))}
        </StackTable>
      )}
    </section>
  );
}
