import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

/**
 * A button that opens a confirmation dialog saying exactly what will change; the action runs only on "Confirm"
 * (disabled while `ready` is false, e.g. a required reason is empty). The dialog shows the action's error, if any.
 */
export function ActionDialog(props: {
  action: string;
  label: string;
  title: string;
  change: ComponentChildren;
  children?: ComponentChildren;
  ready?: boolean;
  danger?: boolean;
  onConfirm: () => Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      dialog.current?.close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const titleId = `dialog-${props.action}`;
  return (
    <>
      <button
        type="button"
        class={props.danger ? 'danger' : undefined}
        data-action={props.action}
        onClick={() => dialog.current?.showModal()}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <h2 id={titleId}>{props.title}</h2>
        <p class="change" data-field="change">
          {props.change}
        </p>
        {props.children}
        {error !== null && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <p>
          <button
            type="button"
            data-confirm={props.action}
            disabled={busy || props.ready === false}
            onClick={() => void confirm()}
          >
            {busy ? 'Working…' : 'Confirm'}
          </button>{' '}
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </p>
      </dialog>
    </>
  );
}
