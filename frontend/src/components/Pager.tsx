import type { CursorPages } from "../lib/useCursorPages";

interface PagerProps {
  /** Where the list is, from useCursorPages. */
  pages: CursorPages;
  nextCursor: string | null | undefined;
  busy?: boolean;
}

export function Pager({ pages, nextCursor, busy = false }: PagerProps) {
  const { pageNumber, hasPrevious, previous: onPrevious, next: onNext } = pages;
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button" onClick={onPrevious} disabled={!hasPrevious || busy}>
        ← Previous
      </button>
      <span aria-live="polite">Page {pageNumber}</span>
      <button type="button" className="button" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor || busy}>
        Next →
      </button>
    </nav>
  );
}
