/**
 * One line of the log viewer. Memoised: while a long log replays, each render moves the window of
 * rows on screen, and the rows that stay in it are not rendered again.
 */
import { memo } from 'react';
import { Link } from 'react-router';
import { formatDateTime, formatLogTime, type TimeZoneChoice } from '@/lib/format';
import type { LogLine } from './use-job-logs';

export const ROW_HEIGHT = 24;

type LogRowProps = {
  line: LogLine;
  index: number;
  /** Offset from the top of the list, in pixels. */
  start: number;
  wrap: boolean;
  target: boolean;
  /** The address's query (the filters), kept by each line's link. */
  search: string;
  zone: TimeZoneChoice;
  /** The virtualiser's measuring ref, for wrapped rows of varying height. */
  measure: ((element: HTMLDivElement | null) => void) | undefined;
};

export const LogRow = memo(function LogRow({ line, index, start, wrap, target, search, zone, measure }: LogRowProps) {
  return (
    <div
      className={`log-row log-row--${line.level.toLowerCase()}${target ? ' log-row--target' : ''}`}
      aria-current={target ? 'location' : undefined}
      style={{ transform: `translateY(${start}px)`, height: wrap ? undefined : ROW_HEIGHT }}
      data-seq={line.seq}
      data-index={index}
      ref={measure}
    >
      <Link className="log-row__seq" to={{ search, hash: `L${line.seq}` }} preventScrollReset aria-label={`Line ${line.seq}`} title="Link to this line">
        {line.seq}
      </Link>
      <time className="log-row__time" dateTime={line.timestamp} title={formatDateTime(line.timestamp, zone)}>
        {formatLogTime(line.timestamp, zone)}
      </time>
      <span className="log-row__level">{line.level}</span>
      <span className="log-row__message">{line.message}</span>
    </div>
  );
});
