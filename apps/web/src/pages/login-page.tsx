import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { ApiError, api } from '../api';
import { LanguageSwitch } from '../components/language-switch';
import { useDocumentTitle } from '../hooks';
import { useI18n } from '../locale';

/** Only a path of this app: `next` comes from the URL, so it must not lead elsewhere. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/login') ? next : '/';
}

export function LoginPage() {
  const { t } = useI18n();
  const { query, route } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  useDocumentTitle(t('login.title'));

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    if (!email.trim() || !password) {
      setError(t('login.required'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.login(email.trim(), password);
      route(safeNext(query.next), true);
    } catch (caught) {
      // 401 INVALID_CREDENTIALS, 429 RATE_LIMITED (its message says when to retry): the server's words.
      setError(caught instanceof ApiError ? caught.message : t('error.unexpected'));
      setBusy(false);
    }
  }

  return (
    <>
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header class="site-header">
        <div class="header-bar">
          <span class="brand">{t('app.name')}</span>
          <div class="header-tools">
            <LanguageSwitch />
          </div>
        </div>
      </header>
      <main id="main" class="page page-narrow" tabIndex={-1}>
        <h1>{t('login.title')}</h1>
        <p>{t('login.intro')}</p>
        {query.next && <p class="hint">{t('login.returnNotice')}</p>}
        <form class="form card" onSubmit={submit} noValidate>
          <div role="alert" id="login-error">
            {error && <p class="alert alert-error">{error}</p>}
          </div>
          <div class="field">
            <label for="login-email">{t('login.email')}</label>
            <input
              id="login-email"
              type="email"
              name="email"
              autoComplete="username"
              inputMode="email"
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login-error' : undefined}
              value={email}
              onInput={(event) => setEmail(event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              type="password"
              name="password"
              autoComplete="current-password"
              required
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login-error' : undefined}
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
          </div>
          {/* Not disabled while busy: a disabled button would drop the keyboard focus. */}
          <button type="submit" class="button button-primary" aria-busy={busy}>
            {t('login.submit')}
          </button>
          <p class="visually-hidden" role="status">
            {busy ? t('login.submitting') : ''}
          </p>
        </form>
      </main>
    </>
  );
}
