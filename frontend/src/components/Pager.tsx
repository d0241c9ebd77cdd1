interface PagerProps {
  pageNumber: number;
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
  busy?: boolean;
}

export function Pager({ pageNumber, hasPrevious, nextCursor, onPrevious, onNext, busy = false }: PagerProps) {
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
