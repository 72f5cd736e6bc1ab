import { useCallback, useLayoutEffect, useMemo, useState } from 'preact/hooks';

/** What a page shows while its data loads: the data, or the error's one line. */
export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change (and on reload), keeping the latest answer; an earlier answer arriving late is
 * dropped. The answer object keeps its identity until the state changes, so memoised sections skip re-rendering.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const [generation, setGeneration] = useState(0);
  // A layout effect runs right after the DOM is committed; a plain effect waits for the next frame, which put a
  // frame (and more on a busy page) between a page's first render and its requests.
  useLayoutEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data, error: null }),
      (err: unknown) => current && setState({ data: null, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return useMemo(() => ({ ...state, reload }), [state, reload]);
}
