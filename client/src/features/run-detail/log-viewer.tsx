/**
 * The live log of a run: virtualised (only the rows on screen exist in the page, so 100,000 lines
 * stay smooth), following new lines until the reader scrolls up, filtered by minimum level and text,
 * long lines scrolled sideways or wrapped. Each line's seq links to it (`#L<seq>`); the line the
 * address names is scrolled to and highlighted once the replay has brought it. The filters live in
 * the address too (`?level=WARNING&q=timeout`), so a reload or a shared link keeps them.
 * `data-loaded="all"` says that the run has ended and every one of its lines is in the list.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import type { LogLevel } from '@/gql/graphql';
import { formatLogDay, formatNumber } from '@/lib/format';
import { useTimeZoneChoice } from '@/lib/time-zone';
import { LogDownload } from './log-download';
import { LogRow, ROW_HEIGHT } from './log-row';
import type { LogStream } from './use-job-logs';

const LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, CRITICAL: 4 };
const FIRST_ERROR_RANK = RANK.ERROR;

function levelParam(value: string | null): LogLevel {
  return LEVELS.find((l) => l === value) ?? 'DEBUG';
}
/** Within this many pixels of the end counts as "at the end": following resumes. */
const END_SLACK = ROW_HEIGHT * 1.5;

/** Index of the line with this seq in lines sorted by seq, or -1. */
function indexOfSeq(lines: ReadonlyArray<{ seq: number }>, seq: number): number {
  let low = 0;
  let high = lines.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = lines[middle]!.seq;
    if (at === seq) return middle;
    if (at < seq) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

type LogViewerProps = {
  stream: LogStream;
  runId: string;
  /** The line the address names (`#L<seq>`): scrolled to and highlighted. */
  targetSeq?: number | null;
};

export function LogViewer({ stream, runId, targetSeq = null }: LogViewerProps) {
  const zone = useTimeZoneChoice();
  const location = useLocation();
  const navigate = useNavigate();
  const params = new URLSearchParams(location.search);
  const minLevel = levelParam(params.get('level'));
  const text = params.get('q') ?? '';
  // Replacing, not pushing: each keystroke of the text filter is not a step back for the reader.
  // Read from the address as it is now, not as of the last render: two changes in quick succession
  // (clear the text, then pick a level) must not bring the first one's old value back.
  const setFilters = (next: { level?: LogLevel; q?: string }) => {
    const search = new URLSearchParams(window.location.search);
    if (next.level !== undefined) {
      if (next.level === 'DEBUG') search.delete('level');
      else search.set('level', next.level);
    }
    if (next.q !== undefined) {
      if (next.q) search.set('q', next.q);
      else search.delete('q');
    }
    const query = search.toString();
    void navigate({ search: query ? `?${query}` : '', hash: window.location.hash }, { replace: true, preventScrollReset: true });
  };
  // A link to a line stops the viewer from following the end, or the line would scroll away.
  const [follow, setFollow] = useState(targetSeq == null);
  // Long lines scroll sideways by default; wrapped, each row is measured once it is on screen.
  const [wrap, setWrap] = useState(false);
  const [seenCount, setSeenCount] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);

  const { lines, version } = stream;
  const visible = useMemo(() => {
    const needle = text.trim().toLowerCase();
    if (minLevel === 'DEBUG' && !needle) return lines;
    const min = RANK[minLevel];
    return lines.filter((l) => RANK[l.level] >= min && (!needle || l.message.toLowerCase().includes(needle)));
    // version: the same array grows in place, so its identity alone does not say that it changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lines, version, minLevel, text]);
  const count = visible.length;

  // The same function while the list is the same: a new one makes the virtualiser lay out every
  // line again at each render, scrolls included (100,000 lines each time).
  const itemKey = useCallback((index: number) => visible[index]!.seq, [visible]);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: itemKey,
    // Rows beyond the screen on each side: enough for a wheel step, few enough that following a fast
    // log (each batch moves the whole window) does not rebuild hundreds of rows per frame.
    overscan: 10,
  });
  const totalSize = virtualizer.getTotalSize();

  useLayoutEffect(() => {
    virtualizer.measure();
  }, [wrap, virtualizer]);

  // The target line may arrive late in a long replay: look for it again as lines come in, and
  // scroll to it once (the reader may scroll away afterwards).
  const frame = useRef<HTMLDivElement>(null);
  const scrolledTo = useRef<number | null>(null);
  const targetIndex = useMemo(
    () => (targetSeq == null ? -1 : indexOfSeq(visible, targetSeq)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [visible, version, targetSeq],
  );
  const scrollToIndex = (index: number) => {
    setFollow(false);
    setSeenCount(count);
    // A line clicked on screen stays where it is; one further away comes to the middle.
    const range = virtualizer.range;
    if (!range || index <= range.startIndex || index >= range.endIndex) virtualizer.scrollToIndex(index, { align: 'center' });
    frame.current?.scrollIntoView({ block: 'nearest' });
  };
  useEffect(() => {
    if (targetSeq == null || targetIndex < 0 || scrolledTo.current === targetSeq) return;
    scrolledTo.current = targetSeq;
    scrollToIndex(targetIndex);
    // scrollToIndex reads only what these name.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [targetSeq, targetIndex, count, virtualizer]);

  // Lines only grow, so the first error, once seen, stays the first: the scan goes on from where it stopped.
  const errorScan = useRef({ scanned: 0, seq: null as number | null });
  const firstErrorSeq = useMemo(() => {
    const scan = errorScan.current;
    if (scan.scanned > lines.length) Object.assign(scan, { scanned: 0, seq: null });
    for (; scan.seq == null && scan.scanned < lines.length; scan.scanned++) {
      const line = lines[scan.scanned]!;
      if (RANK[line.level] >= FIRST_ERROR_RANK) scan.seq = line.seq;
    }
    return scan.seq;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lines, version]);

  // The same way as a #L link: the address names the line, which is scrolled to and highlighted.
  const jumpToFirstError = () => {
    if (firstErrorSeq == null) return;
    const hidden = indexOfSeq(visible, firstErrorSeq) < 0;
    if (targetSeq === firstErrorSeq && !hidden) {
      scrollToIndex(targetIndex);
      return;
    }
    // A filter that hides the error would leave nothing to jump to: the jump clears them.
    void navigate({ search: hidden ? '' : location.search, hash: `L${firstErrorSeq}` }, { preventScrollReset: true });
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [follow, count, version, totalSize]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight <= END_SLACK;
    if (atEnd !== follow) {
      setFollow(atEnd);
      if (!atEnd) setSeenCount(count);
    }
  };

  const jumpToEnd = () => {
    setFollow(true);
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  // Home and End jump at once: the browser's own keyboard scroll animates across millions of pixels
  // and, on a busy machine, can stop short of the end, leaving the reader neither at the end nor following.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'End') {
      event.preventDefault();
      jumpToEnd();
    } else if (event.key === 'Home') {
      event.preventDefault();
      setFollow(false);
      setSeenCount(count);
      if (scroller.current) scroller.current.scrollTop = 0;
    }
  };

  const toggleFollow = (on: boolean) => {
    setFollow(on);
    if (on) jumpToEnd();
    else setSeenCount(count);
  };

  const waiting = follow ? 0 : Math.max(0, count - seenCount);

  return (
    <section className="log-viewer" aria-labelledby="log-title" data-loaded={stream.state === 'complete' ? 'all' : 'partial'}>
      <div className="log-toolbar">
        <h2 id="log-title">Log</h2>
        <label>
          Minimum level
          <select value={minLevel} onChange={(e) => setFilters({ level: levelParam(e.target.value) })} data-testid="min-level">
            {LEVELS.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Contains
          <input type="search" value={text} onChange={(e) => setFilters({ q: e.target.value })} placeholder="text" data-testid="log-text" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} data-testid="wrap" /> Wrap lines
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={follow} onChange={(e) => toggleFollow(e.target.checked)} data-testid="follow" /> Auto-scroll
        </label>
        <button type="button" className="button" onClick={jumpToFirstError} disabled={firstErrorSeq == null} data-testid="first-error">
          Jump to the first error
        </button>
        <LogDownload runId={runId} totalLines={Math.max(stream.lastSeq, lines.length)} minLevel={minLevel} contains={text} />
      </div>
      <p className="muted log-summary" aria-live="polite" data-testid="log-summary">
        {count === lines.length ? `${formatNumber(lines.length)} lines` : `${formatNumber(count)} of ${formatNumber(lines.length)} lines`}
        {lines.length > 0 && <span data-testid="log-day">{` · times from ${formatLogDay(lines[0]!.timestamp, zone)}`}</span>}
        {stream.state === 'resuming' && ' · reconnecting…'}
        {stream.ended && (
          <span data-testid="log-complete">
            {` · complete: the run ended ${stream.ended.status}`}
            {stream.ended.retryId && (
              <>
                {' · retried as '}
                <Link to={`/runs/${stream.ended.retryId}`}>run #{stream.ended.retryId}</Link>
              </>
            )}
          </span>
        )}
      </p>
      <div className="log-frame" ref={frame}>
        <div ref={scroller} className="log-scroll" onScroll={onScroll} onKeyDown={onKeyDown} tabIndex={0} role="region" aria-label="Log lines" data-testid="log-scroll">
          {count === 0 ? (
            <p className="state state--empty">{lines.length > 0 ? 'No lines match the filters.' : stream.ended ? 'This run logged no lines.' : 'No log lines yet.'}</p>
          ) : (
            <div style={{ height: totalSize, position: 'relative' }} className={wrap ? 'log-rows log-rows--wrap' : 'log-rows'}>
              {virtualizer.getVirtualItems().map((item) => {
                const line = visible[item.index]!;
                return (
                  <LogRow
                    key={line.seq}
                    line={line}
                    index={item.index}
                    start={item.start}
                    wrap={wrap}
                    target={line.seq === targetSeq}
                    search={location.search}
                    zone={zone}
                    measure={wrap ? virtualizer.measureElement : undefined}
                  />
                );
              })}
            </div>
          )}
        </div>
        {waiting > 0 && (
          <button type="button" className="button button--primary new-lines" onClick={jumpToEnd} data-testid="new-lines">
            {formatNumber(waiting)} new {waiting === 1 ? 'line' : 'lines'} ↓
          </button>
        )}
      </div>
    </section>
  );
}
