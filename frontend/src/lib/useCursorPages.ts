import { useState } from "react";

/**
 * Cursor pagination has no page numbers: we remember the cursors that led to each page seen,
 * so "Previous" goes back exactly and "Next" follows the page's next_cursor. A new `filterKey`
 * (another search, another status) starts again from the first page.
 */
export function useCursorPages(filterKey = "") {
  const [state, setState] = useState({ filterKey, cursors: [null] as (string | null)[] });
  const cursors = state.filterKey === filterKey ? state.cursors : [null];
  const pageIndex = cursors.length - 1;
  return {
    cursor: cursors[pageIndex] ?? null,
    pageNumber: pageIndex + 1,
    hasPrevious: pageIndex > 0,
    next: (nextCursor: string) => setState({ filterKey, cursors: [...cursors, nextCursor] }),
    previous: () => setState({ filterKey, cursors: cursors.length > 1 ? cursors.slice(0, -1) : cursors }),
  };
}

export type CursorPages = ReturnType<typeof useCursorPages>;
