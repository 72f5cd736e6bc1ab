import { useEffect, useState } from 'preact/hooks';

/** The dashboard's pages and their paths; the server answers index.html for each, the browser routes. */
export type Route =
  | { page: 'models' }
  | { page: 'login'; code: string | null }
  | { page: 'model'; model: string }
  | { page: 'version'; model: string; version: string }
  | { page: 'experiment'; id: string }
  | { page: 'abtest'; id: string }
  | { page: 'not-found'; path: string };

const PATTERNS: [RegExp, (m: string[]) => Route][] = [
  [/^\/$/, () => ({ page: 'models' })],
  [/^\/login$/, () => ({ page: 'login', code: new URLSearchParams(location.hash.slice(1)).get('code') })],
  [/^\/models\/([^/]+)$/, (m) => ({ page: 'model', model: m[1]! })],
  [/^\/models\/([^/]+)\/versions\/([^/]+)$/, (m) => ({ page: 'version', model: m[1]!, version: m[2]! })],
  [/^\/experiments\/([^/]+)$/, (m) => ({ page: 'experiment', id: m[1]! })],
  [/^\/abtests\/([^/]+)$/, (m) => ({ page: 'abtest', id: m[1]! })],
];

/** The route of a path (segments are URI-decoded). */
export function routeOf(path: string): Route {
  for (const [pattern, build] of PATTERNS) {
    const m = pattern.exec(path);
    if (m !== null) return build(m.map((s) => decodeURIComponent(s)));
  }
  return { page: 'not-found', path };
}

/** Client-side navigation: pushes the path and re-renders the page it names. */
export function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current route, updated on navigation and on the browser's back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

/** Click handler of an in-app link: navigates without a reload unless the user asks for a new tab. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href') ?? '/');
}
