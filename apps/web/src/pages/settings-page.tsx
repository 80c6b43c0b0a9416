import { useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ErrorPanel } from '../components/error-panel';
import { useDocumentTitle, useResource } from '../hooks';
import type { MessageKey } from '../i18n';
import { useI18n } from '../locale';
import { useSession } from '../session';
import type { Locale } from '../types';

const ROLE_KEYS: Record<string, MessageKey> = { staff: 'settings.role.staff', manager: 'settings.role.manager', admin: 'settings.role.admin' };
const KIND_KEYS: Record<string, MessageKey> = { prefecture: 'settings.kind.prefecture', municipality: 'settings.kind.municipality', association: 'settings.kind.association', operator: 'settings.kind.operator' };

// Each language is named in itself, as in the header's switch.
const LANGUAGES: { locale: Locale; name: string }[] = [
  { locale: 'ja', name: '日本語' },
  { locale: 'en', name: 'English' },
];

/** Settings: the account (read-only), the display language and the private calendar feed. */
export function SettingsPage() {
  const { t, locale, setLocale } = useI18n();
  const { me } = useSession();
  useDocumentTitle(t('settings.title'));
  const feed = useResource((signal) => api.calendar(signal), []);
  const [copyNotice, setCopyNotice] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [rotateError, setRotateError] = useState<ApiError>();
  const [rotatedNotice, setRotatedNotice] = useState('');
  const urlField = useRef<HTMLInputElement>(null);
  const rotateButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  async function copy() {
    const url = feed.data?.url;
    if (!url) return;
    try {
      // Absent outside a secure context (plain http on another host), refused without permission.
      await navigator.clipboard.writeText(url);
      setCopyNotice(t('settings.copied'));
    } catch {
      urlField.current?.focus();
      urlField.current?.select();
      setCopyNotice(t('settings.copyFailed'));
    }
  }

  function askRotate() {
    setRotatedNotice('');
    setRotateError(undefined);
    setConfirming(true);
    requestAnimationFrame(() => confirmButton.current?.focus());
  }

  function cancelRotate() {
    setConfirming(false);
    requestAnimationFrame(() => rotateButton.current?.focus());
  }

  async function rotate() {
    if (rotating) return;
    setRotating(true);
    setRotateError(undefined);
    try {
      feed.set(await api.rotateCalendar());
      setCopyNotice('');
      setConfirming(false);
      setRotatedNotice(t('settings.rotated'));
      requestAnimationFrame(() => urlField.current?.focus());
    } catch (caught) {
      setRotateError(caught instanceof ApiError ? caught : new ApiError(0, 'UNKNOWN', t('error.unexpected')));
    } finally {
      setRotating(false);
    }
  }

  const kind = KIND_KEYS[me.organisation.kind];
  return (
    <>
      <h1>{t('settings.title')}</h1>

      <section class="section section-first" aria-labelledby="account-heading">
        <h2 id="account-heading">{t('settings.account')}</h2>
        <dl class="data-list settings-account">
          <div>
            <dt>{t('settings.name')}</dt>
            <dd>{me.name}</dd>
          </div>
          <div>
            <dt>{t('settings.email')}</dt>
            <dd>{me.email}</dd>
          </div>
          <div>
            <dt>{t('settings.organisation')}</dt>
            <dd>
              {me.organisation.name}
              {kind && <span class="muted">{t('settings.organisationKind', { kind: t(kind) })}</span>}
            </dd>
          </div>
          <div>
            <dt>{t('settings.roles')}</dt>
            <dd>{me.roles.map((role) => (ROLE_KEYS[role] ? t(ROLE_KEYS[role]) : role)).join(t('list.separator'))}</dd>
          </div>
        </dl>
        <p class="hint">{t('settings.accountNote')}</p>
      </section>

      <section class="section" aria-labelledby="language-heading">
        <h2 id="language-heading">{t('settings.language')}</h2>
        <fieldset class="field choices" aria-describedby="language-note">
          <legend>{t('settings.languageLegend')}</legend>
          <p class="hint" id="language-note">
            {t('settings.languageNote')}
          </p>
          <div class="choice-list">
            {LANGUAGES.map((language) => (
              <label class="choice" key={language.locale} for={`settings-language-${language.locale}`}>
                <input
                  id={`settings-language-${language.locale}`}
                  type="radio"
                  name="settings-language"
                  checked={locale === language.locale}
                  onChange={() => setLocale(language.locale)}
                />
                <span lang={language.locale}>{language.name}</span>
              </label>
            ))}
          </div>
        </fieldset>
      </section>

      <section class="section" aria-labelledby="calendar-heading">
        <h2 id="calendar-heading">{t('settings.calendar')}</h2>
        <p>{t('settings.calendarIntro')}</p>
        <p class="alert alert-warning" id="calendar-private">
          {t('settings.calendarPrivate')}
        </p>
        {feed.error && <ErrorPanel error={feed.error} onRetry={feed.reload} />}
        {feed.data ? (
          <div class="field calendar-field">
            <label for="calendar-url">{t('settings.calendarUrl')}</label>
            <div class="input-with-button">
              <input id="calendar-url" ref={urlField} type="text" class="calendar-url" readOnly value={feed.data.url} aria-describedby="calendar-private" onFocus={(event) => event.currentTarget.select()} />
              <button type="button" class="button" onClick={() => void copy()}>
                {t('settings.copy')}
              </button>
            </div>
          </div>
        ) : (
          !feed.error && <p class="result-status">{t('app.loading')}</p>
        )}
        <div role="status">{(copyNotice || rotatedNotice) && <p class={`alert ${copyNotice === t('settings.copyFailed') ? 'alert-warning' : 'alert-success'} settings-notice`}>{copyNotice || rotatedNotice}</p>}</div>

        <h3>{t('settings.howTo')}</h3>
        <ul class="howto">
          <li>{t('settings.howToOutlook')}</li>
          <li>{t('settings.howToGoogle')}</li>
          <li>{t('settings.howToIphone')}</li>
        </ul>

        <h3>{t('settings.rotateTitle')}</h3>
        <p>{t('settings.rotateIntro')}</p>
        {!confirming ? (
          <p>
            <button type="button" class="button" ref={rotateButton} disabled={!feed.data} onClick={askRotate}>
              {t('settings.rotate')}
            </button>
          </p>
        ) : (
          <div class="card confirm-card" role="group" aria-labelledby="rotate-confirm-text">
            <p id="rotate-confirm-text">{t('settings.rotateConfirmText')}</p>
            <div class="buttons">
              <button type="button" class="button button-primary" ref={confirmButton} aria-busy={rotating} onClick={() => void rotate()}>
                {t('settings.rotateConfirm')}
              </button>
              <button type="button" class="button" onClick={cancelRotate}>
                {t('settings.rotateCancel')}
              </button>
            </div>
            <p class="visually-hidden" role="status">
              {rotating ? t('settings.rotating') : ''}
            </p>
          </div>
        )}
        {rotateError && <ErrorPanel error={rotateError} />}
      </section>
    </>
  );
}
