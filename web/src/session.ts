import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, unwrap, type Answer } from './api/client';

/** Who the dashboard acts as: the token behind the session (GET /whoami). */
export type Principal = Answer<'/api/v1/whoami', 'get'>;

/** Roles in increasing power, as the server ranks them. */
const RANK = { viewer: 0, editor: 1, admin: 2 } as const;

export const PrincipalContext = createContext<Principal | null>(null);

/** True when the session's token may take an action that needs `role`: pages show the action only then. */
export function useCan(role: keyof typeof RANK): boolean {
  const principal = useContext(PrincipalContext);
  return principal !== null && RANK[principal.role] >= RANK[role];
}

/** The session's token, or null when there is no session (the login page then explains how to get one). */
export async function whoami(): Promise<Principal | null> {
  const result = await api.GET('/api/v1/whoami');
  if (result.response.status === 401) return null;
  return unwrap(result);
}
