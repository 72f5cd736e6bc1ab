import type { ComponentChildren } from 'preact';
import type { Loaded } from './use-load';

/** Renders `children(data)` once loaded; before that a busy line, after a failure the error as an alert. */
export function Status<T>(props: { of: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (props.of.error !== null)
    return (
      <p role="alert" class="error">
        {props.of.error}
      </p>
    );
  if (props.of.data === null) return <p aria-busy="true">Loading…</p>;
  return <>{props.children(props.of.data)}</>;
}
