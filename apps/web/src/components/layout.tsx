import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { useI18n } from '../locale';
import { useSession } from '../session';
import { LanguageSwitch } from './language-switch';

function NavLink({ href, children }: { href: string; children: ComponentChildren }) {
  const { path } = useLocation();
  // `page` on the page itself, `true` within its section (a case under the case list).
  const current = path === href ? 'page' : href !== '/' && path.startsWith(`${href}/`) ? 'true' : undefined;
  return (
    <a href={href} aria-current={current}>
      {children}
    </a>
  );
}

export function Layout({ children }: { children: ComponentChildren }) {
  const { t } = useI18n();
  const { me, unread, refreshUnread, signOut } = useSession();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);

  useEffect(() => {
    refreshUnread();
    // After a client-side navigation, focus moves to the new content so screen readers read it
    // and the keyboard starts there (not on the first load: the browser handles that).
    if (shownPath.current !== path) {
      shownPath.current = path;
      main.current?.focus();
    }
  }, [path, refreshUnread]);

  return (
    <>
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="site-header">
        <div class="header-bar">
          <a class="brand" href="/">
            {t('app.name')}
          </a>
          <div class="header-tools">
            <p class="user">
              <span class="visually-hidden">{t('nav.user')}: </span>
              <span class="user-organisation">{me.organisation.name}</span> {me.name}
              <a class="settings-link" href="/settings" aria-current={path === '/settings' ? 'page' : undefined}>
                {t('settings.link')}
              </a>
            </p>
            <LanguageSwitch />
            <button type="button" class="button button-quiet" onClick={() => void signOut()}>
              {t('nav.logout')}
            </button>
          </div>
        </div>
        <nav class="main-nav" aria-label={t('nav.label')}>
          <ul>
            <li>
              <NavLink href="/">{t('nav.inbox')}</NavLink>
            </li>
            <li>
              <NavLink href="/cases">{t('nav.cases')}</NavLink>
            </li>
            <li>
              <NavLink href="/notifications">
                {t('nav.notifications')}
                {unread > 0 && (
                  <span class="count">
                    <span aria-hidden="true">{unread}</span>
                    <span class="visually-hidden">{t('nav.unread', { count: unread })}</span>
                  </span>
                )}
              </NavLink>
            </li>
            {me.roles.includes('admin') && (
              <li>
                <NavLink href="/administration">{t('nav.admin')}</NavLink>
              </li>
            )}
          </ul>
        </nav>
      </header>
      <main id="main" class="page" tabIndex={-1} ref={main}>
        {children}
      </main>
      <footer class="site-footer">
        <p>{t('app.timesInJst')}</p>
      </footer>
    </>
  );
}
