/**
 * The admin's tables: scrollable when wide, and stacked into one labelled card per row on narrow
 * screens, for which each body cell carries its column's data-label.
 */
import type { ReactNode } from 'react';

/** A column's header: its label, or the label with a key (for a header that is not text) and numeric alignment. */
export type Column = string | { label: ReactNode; key?: string; numeric?: boolean };

export function StackTable({
  columns,
  caption,
  testId,
  className,
  children,
}: {
  columns: Column[];
  caption?: string;
  testId?: string;
  /** A class for the table's own narrow layout (the runs table's three lines). */
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className={className ? `table table--stack ${className}` : 'table table--stack'} data-testid={testId}>
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => {
              const { label, key, numeric } = typeof column === 'string' ? { label: column } : column;
              return (
                <th key={key ?? String(label)} scope="col" className={numeric ? 'num' : undefined}>
                  {label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
