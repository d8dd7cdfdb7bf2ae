import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Pages<T> {
  items: T[];
  error: unknown;
  loading: boolean;
  /** Whether the service has more after what is shown. */
  more: boolean;
  loadMore(): void;
}

/**
 * A paged List RPC shown as a growing list: the first page when `deps` change (starting over),
 * the next one on request, each with the token the previous answer gave.
 */
export function usePages<T>(
  load: (pageToken: string, signal: AbortSignal) => Promise<{ items: T[]; nextPageToken: string }>,
  deps: readonly unknown[],
): Pages<T> {
  const [state, setState] = useState<{ items: T[]; error: unknown; loading: boolean; next: string }>({
    items: [],
    error: undefined,
    loading: true,
    next: "",
  });
  const controller = useRef<AbortController | undefined>(undefined);
  const fetchPage = useCallback((pageToken: string, append: boolean) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    load(pageToken, current.signal).then(
      (page) =>
        current.signal.aborted ||
        setState((previous) => ({
          items: append ? [...previous.items, ...page.items] : page.items,
          error: undefined,
          loading: false,
          next: page.nextPageToken,
        })),
      (error: unknown) => current.signal.aborted || setState((previous) => ({ ...previous, error, loading: false })),
    );
  }, deps);
  useEffect(() => {
    fetchPage("", false);
    return () => controller.current?.abort();
  }, [fetchPage]);
  return {
    items: state.items,
    error: state.error,
    loading: state.loading,
    more: state.next !== "",
    loadMore: () => fetchPage(state.next, true),
  };
}
