import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api, setUnauthorizedHandler } from './api';
import { clearDrafts } from './drafts';
import { useResource } from './hooks';
import { storedLocale, useI18n } from './locale';
import { ErrorPanel } from './components/error-panel';
import type { Me, Program } from './types';

export interface Session {
  me: Me;
  programs: ReadonlyMap<string, Program>;
  unread: number;
  refreshUnread(): void;
  setUnread(count: number): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** `/login?next=<here>`: after signing in the user comes back to this page. */
export function loginUrl(): string {
  const here = location.pathname + location.search;
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

/**
 * The signed-in part of the app: loads the user and the programs once, and sends any 401 (an
 * ended session) to the login page. The cookie is httpOnly, so asking `/me` is how we learn
 * whether a session exists.
 */
export function SessionGate({ children }: { children: ComponentChildren }) {
  const { route } = useLocation();
  const { setLocale } = useI18n();
  const [unread, setUnread] = useState(0);

  useEffect(() => {
    // Parallel requests may all answer 401: only the first one leaves for the login page.
    setUnauthorizedHandler(() => {
      if (location.pathname !== '/login') route(loginUrl(), true);
    });
    return () => setUnauthorizedHandler(undefined);
  }, [route]);

  const start = useResource(async (signal) => {
    const [me, programs] = await Promise.all([api.me(signal), api.programs(signal)]);
    return { me, programs: new Map(programs.map((program) => [program.key, program])) };
  }, []);

  // Someone who never chose a language gets the one of their account.
  const me = start.data?.me;
  useEffect(() => {
    if (me && !storedLocale() && me.locale) setLocale(me.locale);
  }, [me, setLocale]);

  const refreshUnread = useCallback(() => {
    api.notifications({ unreadOnly: true }).then(
      (list) => setUnread(list.unread),
      () => undefined, // The count is a hint; the notifications page shows real errors.
    );
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // Already signed out or offline: the login page is the right place either way.
    }
    clearDrafts();
    route('/login');
  }, [route]);

  const session = useMemo<Session | undefined>(
    () => start.data && { ...start.data, unread, refreshUnread, setUnread, signOut },
    [start.data, unread, refreshUnread, signOut],
  );

  if (start.error && start.error.status !== 401) return <ErrorPanel error={start.error} onRetry={start.reload} standalone />;
  if (!session) return null;
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside <SessionGate>');
  return value;
}
