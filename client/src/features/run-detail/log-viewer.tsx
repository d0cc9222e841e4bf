/**
 * The live log of a run: virtualised (only the rows on screen exist in the page, so 100,000 lines
 * stay smooth), following new lines until the reader scrolls up, filtered by minimum level and text,
 * long lines scrolled sideways or wrapped.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { LogLevel } from '@/gql/graphql';
import { formatLogTime } from '@/lib/format';
import type { LogStream } from './use-job-logs';

const LEVELS: LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, CRITICAL: 4 };
const ROW_HEIGHT = 24;
/** Within this many pixels of the end counts as "at the end": following resumes. */
const END_SLACK = ROW_HEIGHT * 1.5;

export function LogViewer({ stream, runId }: { stream: LogStream; runId: string }) {
  const [minLevel, setMinLevel] = useState<LogLevel>('DEBUG');
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
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

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => visible[index]!.seq,
    overscan: 30,
  });
  const totalSize = virtualizer.getTotalSize();

  useLayoutEffect(() => {
    virtualizer.measure();
  }, [wrap, virtualizer]);

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

  const toggleFollow = (on: boolean) => {
    setFollow(on);
    if (on) jumpToEnd();
    else setSeenCount(count);
  };

  const download = () => {
    const body = lines.map((l) => `${l.seq}\t${l.timestamp}\t${l.level}\t${l.message}`).join('\n');
    const url = URL.createObjectURL(new Blob([body, '\n'], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `run-${runId}.log`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  const waiting = follow ? 0 : Math.max(0, count - seenCount);

  return (
    <section className="log-viewer" aria-labelledby="log-title">
      <div className="log-toolbar">
        <h2 id="log-title">Log</h2>
        <label>
          Minimum level
          <select value={minLevel} onChange={(e) => setMinLevel(e.target.value as LogLevel)} data-testid="min-level">
            {LEVELS.map((l) => (
              <option key={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          Contains
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="text" data-testid="log-text" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} data-testid="wrap" /> Wrap lines
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={follow} onChange={(e) => toggleFollow(e.target.checked)} data-testid="follow" /> Auto-scroll
        </label>
        <button type="button" className="button" onClick={download} disabled={lines.length === 0}>
          Download log
        </button>
      </div>
      <p className="muted log-summary" aria-live="polite" data-testid="log-summary">
        {count === lines.length ? `${lines.length.toLocaleString()} lines` : `${count.toLocaleString()} of ${lines.length.toLocaleString()} lines`}
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
      <div className="log-frame">
        <div ref={scroller} className="log-scroll" onScroll={onScroll} tabIndex={0} role="region" aria-label="Log lines" data-testid="log-scroll">
          {count === 0 ? (
            <p className="state state--empty">{lines.length === 0 ? 'No log lines yet.' : 'No lines match the filters.'}</p>
          ) : (
            <div style={{ height: totalSize, position: 'relative' }} className={wrap ? 'log-rows log-rows--wrap' : 'log-rows'}>
              {virtualizer.getVirtualItems().map((item) => {
                const line = visible[item.index]!;
                return (
                  <div
                    key={line.seq}
                    className={`log-row log-row--${line.level.toLowerCase()}`}
                    style={{ transform: `translateY(${item.start}px)`, height: wrap ? undefined : ROW_HEIGHT }}
                    data-seq={line.seq}
                    data-index={item.index}
                    ref={wrap ? virtualizer.measureElement : undefined}
                  >
                    <span className="log-row__seq">{line.seq}</span>
                    <time className="log-row__time" dateTime={line.timestamp}>
                      {formatLogTime(line.timestamp)}
                    </time>
                    <span className="log-row__level">{line.level}</span>
                    <span className="log-row__message">{line.message}</span>
                  </div>
                );
              })}
            </div>
          )}
        </div>
        {waiting > 0 && (
          <button type="button" className="button button--primary new-lines" onClick={jumpToEnd} data-testid="new-lines">
            {waiting.toLocaleString()} new {waiting === 1 ? 'line' : 'lines'} ↓
          </button>
        )}
      </div>
    </section>
  );
}
