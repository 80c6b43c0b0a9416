import { DEFAULT_LOCALE, format, type Locale } from './locale';
import { ERROR_MESSAGES, VIOLATION_MESSAGES } from './messages';

export function errorMessage(code: string, locale: Locale, params: Record<string, string | number> = {}): string {
  const entry = ERROR_MESSAGES[code] ?? ERROR_MESSAGES.INTERNAL_ERROR;
  return format(entry[locale] ?? entry[DEFAULT_LOCALE], params);
}

export function violationMessage(code: string, locale: Locale, params: Record<string, string | number> = {}): string {
  const entry = VIOLATION_MESSAGES[code] ?? VIOLATION_MESSAGES.invalid;
  return format(entry[locale] ?? entry[DEFAULT_LOCALE], params);
}
