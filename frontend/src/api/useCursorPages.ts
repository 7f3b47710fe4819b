/** Page through a cursor-paginated list: remembers the cursor of every page seen. */
import { useCallback, useEffect, useState } from "react";
import type { Page } from "./types";
import { useResource } from "./useResource";

export interface CursorPages<T> {
  items: T[];
  loading: boolean;
  error: ReturnType<typeof useResource<Page<T>>>["error"];
  pageIndex: number;
  pagesCount: number;
  hasMore: boolean;
  setPageIndex: (index: number) => void;
  reload: () => void;
}

export function useCursorPages<T>(
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
  resetKey: string,
): CursorPages<T> {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [pageIndex, setPageIndex] = useState(0);

  useEffect(() => {
    setCursors([undefined]);
    setPageIndex(0);
  }, [resetKey]);

  const cursor = cursors[pageIndex];
  const page = useResource((signal) => fetchPage(cursor, signal), [resetKey, cursor, pageIndex]);
  const next = page.data?.next_cursor ?? undefined;

  useEffect(() => {
    if (next === undefined) return;
    setCursors((known) => {
      if (known[pageIndex + 1] === next) return known;
      return [...known.slice(0, pageIndex + 1), next];
    });
  }, [next, pageIndex]);

  const choose = useCallback((index: number) => setPageIndex(Math.max(0, index)), []);
  return {
    items: page.data?.items ?? [],
    loading: page.loading,
    error: page.error,
    pageIndex,
    pagesCount: Math.max(cursors.length, pageIndex + 1),
    hasMore: next !== undefined,
    setPageIndex: choose,
    reload: page.reload,
  };
}
