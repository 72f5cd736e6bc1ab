import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { navigate } from '../router';

/** Exchanges the one-time code of `modelctl ui`'s URL for a session, then opens the models page. */
export function LoginPage(props: { code: string | null; onLogin: () => void }) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (props.code === null) return;
    // The code is spent by this request; keep it out of the history and the address bar.
    history.replaceState(null, '', '/login');
    api.POST('/api/v1/ui/session', { body: { code: props.code } }).then(
      (result) => {
        try {
          unwrap(result);
          props.onLogin();
          navigate('/');
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      },
      (err: unknown) => setError(String(err)),
    );
  }, [props.code]);
  return (
    <main id="main" class="login">
      <h1>Log in to modelctl</h1>
      {error !== null && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {props.code === null || error !== null ? (
        <p>
          Run <code>modelctl ui</code> (or <code>modelctl ui --print-url</code>) with your token: it opens a one-time
          login URL valid for 60 seconds.
        </p>
      ) : (
        <p aria-busy="true">Logging in…</p>
      )}
    </main>
  );
}
