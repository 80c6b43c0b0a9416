import { useI18n } from '../locale';
import type { Locale } from '../types';

// Each language is named in itself, so it can be found whichever language is showing.
const LANGUAGES: { locale: Locale; name: string }[] = [
  { locale: 'ja', name: '日本語' },
  { locale: 'en', name: 'English' },
];

export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <div class="language-switch" role="group" aria-label={t('language.label')}>
      {LANGUAGES.map((language) => (
        <button
          key={language.locale}
          type="button"
          lang={language.locale}
          aria-pressed={language.locale === locale}
          onClick={() => setLocale(language.locale)}
        >
          {language.name}
        </button>
      ))}
    </div>
  );
}
