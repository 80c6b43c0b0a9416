import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo, useState } from 'preact/hooks';
import { setRequestLocale } from './api';
import { formatDate, formatDateTime, formatNumber, pick, translate, type MessageKey, type MessageValues } from './i18n';
import type { Locale, Localized } from './types';

const STORAGE_KEY = 'koryu.locale';

export interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, values?: MessageValues): string;
  pick(text: Localized): string;
  dateTime(iso: string): string;
  date(iso: string): string;
  number(value: number): string;
}

const I18nContext = createContext<I18n | null>(null);

/** The language chosen before, if any (storage may be off in private windows). */
export function storedLocale(): Locale | undefined {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'ja' || value === 'en' ? value : undefined;
  } catch {
    return undefined;
  }
}

// Applied at once, not in an effect: the first requests must already carry the language.
function apply(locale: Locale): void {
  setRequestLocale(locale);
  document.documentElement.lang = locale;
}

export function I18nProvider({ children }: { children: ComponentChildren }) {
  const [locale, setState] = useState<Locale>(() => {
    const initial = storedLocale() ?? 'ja';
    apply(initial);
    return initial;
  });

  const setLocale = useCallback((next: Locale) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisted; the choice still holds for this page.
    }
    apply(next);
    setState(next);
  }, []);

  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, values) => translate(locale, key, values),
      pick: (text) => pick(text, locale),
      dateTime: (iso) => formatDateTime(iso, locale),
      date: (iso) => formatDate(iso, locale),
      number: (value) => formatNumber(value, locale),
    }),
    [locale, setLocale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside <I18nProvider>');
  return value;
}
