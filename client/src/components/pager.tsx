/** The one pager of every paged list: "Previous" and "Next" around the page number. */
export function Pager({
  label,
  page,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
}: {
  /** Names the navigation landmark, e.g. "Pages of runs". */
  label: string;
  /** 1-based. */
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" onClick={onPrevious} disabled={!hasPrevious}>
        <span aria-hidden="true">← </span>Previous
      </button>
      <span className="muted">Page {page}</span>
      <button type="button" className="button" onClick={onNext} disabled={!hasNext}>
        Next<span aria-hidden="true"> →</span>
      </button>
    </nav>
  );
}
