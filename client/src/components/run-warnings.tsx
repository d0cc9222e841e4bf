/** Why a run ended WARNING: one line per reason, or a table with the figures (expected, actual, gate). */
import { graphql } from '@/gql/gql';
import type { RunWarningFieldsFragment } from '@/gql/graphql';
import { StackTable } from './stack-table';
import { formatNumber } from '@/lib/format';

// Spread wherever warnings are shown (codegen reads it from here).
graphql(`
  fragment RunWarningFields on RunWarning {
    reason
    message
    expected
    actual
    gate
  }
`);

const figure = (value: number | null) => (value == null ? '—' : formatNumber(value, { maximumFractionDigits: 1 }));
const keyOf = (w: RunWarningFieldsFragment, i: number) => `${w.reason}-${w.gate ?? ''}-${i}`;

/** "VOLUME_DROP: Found no products; about 15 expected", one per line. */
export function RunWarningList({ warnings }: { warnings: RunWarningFieldsFragment[] }) {
  return (
    <ul className="warning-list" data-testid="run-warnings">
      {warnings.map((w, i) => (
        <li key={keyOf(w, i)} data-reason={w.reason}>
          <strong>{w.reason}</strong>: {w.message}
        </li>
      ))}
    </ul>
  );
}

export function RunWarningTable({ warnings }: { warnings: RunWarningFieldsFragment[] }) {
  return (
    <StackTable columns={['Reason', 'Message', { label: 'Expected', numeric: true }, { label: 'Actual', numeric: true }, 'Gate']} caption="Warnings" testId="run-warnings">
      {warnings.map((w, i) => (
        <tr key={keyOf(w, i)} data-reason={w.reason}>
          <td data-label="Reason">
            <strong>{w.reason}</strong>
          </td>
          <td data-label="Message" className="text-cell">{w.message}</td>
          <td className="num" data-label="Expected">
            {figure(w.expected)}
          </td>
          <td className="num" data-label="Actual">
            {figure(w.actual)}
          </td>
          <td data-label="Gate">{w.gate ? <code>{w.gate}</code> : '—'}</td>
        </tr>
      ))}
    </StackTable>
  );
}
