import { useCallback, useEffect, useState } from "preact/hooks";

export interface RpcState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again, keeping the current data on screen until the answer arrives. */
  reload(): void;
}

/**
 * Calls `load` when the component mounts and whenever `deps` change; a call still running when
 * they change is aborted, so an old answer never overwrites a newer one.
 */
export function useRpc<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): RpcState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => controller.signal.aborted || setState({ data, error: undefined, loading: false }),
      (error: unknown) => controller.signal.aborted || setState((previous) => ({ ...previous, error, loading: false })),
    );
    return () => controller.abort();
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { ...state, reload };
}
