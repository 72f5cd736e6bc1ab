import { useLayoutEffect, useState } from 'preact/hooks';
import { api } from './api/client';
import { Link } from './components/link';
import { LoginPage } from './pages/login';
import { ModelsPage } from './pages/models';
import { ModelPage } from './pages/model';
import { VersionPage } from './pages/version';
import { ExperimentPage } from './pages/experiment';
import { AbTestPage } from './pages/ab-test';
import { navigate, useRoute } from './router';
import { PrincipalContext, whoami, type Principal } from './session';

/** The session's identity, asked for as the bundle starts (before the first render): GET /whoami. */
let firstWhoami: Promise<Principal | null> | null = whoami();

/**
 * The shell: a skip link, the header with who is logged in and logout, then the page of the route. The page renders
 * (and its requests start) while /whoami is still on its way: waiting for it first made every page load two round
 * trips deep. Until it answers, actions that need a role stay hidden (no principal); if there is no session, the
 * login page replaces the page.
 */
export function App() {
  const route = useRoute();
  const [principal, setPrincipal] = useState<Principal | null | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  useLayoutEffect(() => {
    const asked = firstWhoami ?? whoami();
    firstWhoami = null;
    let current = true;
    asked.then(
      (p) => current && setPrincipal(p),
      () => current && setPrincipal(null),
    );
    return () => {
      current = false;
    };
  }, [generation]);

  const logout = async () => {
    await api.DELETE('/api/v1/ui/session');
    setPrincipal(null);
    navigate('/login');
  };

  if (route.page === 'login') return <LoginPage code={route.code} onLogin={() => setGeneration((g) => g + 1)} />;
  if (principal === null) return <LoginPage code={null} onLogin={() => setGeneration((g) => g + 1)} />;
  return (
    <PrincipalContext.Provider value={principal ?? null}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="main">
          <Link href="/" class="brand">
            modelctl
          </Link>
        </nav>
        {principal !== undefined && (
          <span class="who">
            <span data-field="principal">{principal.name}</span> ({principal.role})
            <button type="button" onClick={() => void logout()}>
              Log out
            </button>
          </span>
        )}
      </header>
      {route.page === 'models' && <ModelsPage />}
      {route.page === 'model' && <ModelPage model={route.model} />}
      {route.page === 'version' && <VersionPage model={route.model} version={route.version} />}
      {route.page === 'experiment' && <ExperimentPage id={route.id} />}
      {route.page === 'abtest' && <AbTestPage id={route.id} />}
      {route.page === 'not-found' && (
        <main id="main">
          <h1>Not found</h1>
          <p>No page at {route.path}.</p>
        </main>
      )}
    </PrincipalContext.Provider>
  );
}
