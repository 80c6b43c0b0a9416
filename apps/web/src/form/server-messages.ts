import type { Locale, Violation } from '../types';

/**
 * The server's shape messages start with the field's path (`data.hostContact.email は…`,
 * `code は既に…`): shown at the field, the field's title reads better.
 */
export function relabelled(message: string, paths: readonly string[], title: string, locale: Locale): string {
  const path = paths.find((candidate) => candidate && message.startsWith(`${candidate} `));
  if (path === undefined) return message;
  const rest = message.slice(path.length + 1);
  return locale === 'ja' ? `「${title}」${rest}` : `${title} ${rest}`;
}

/** The server's messages by the form field they are about (each once, titled), and those of no field of the form. */
export function messagesByField<F extends string>(
  violations: readonly Violation[],
  fieldOf: (violation: Violation) => F | undefined,
  titleOf: (field: F) => string,
  locale: Locale,
): { byField: Map<F, string[]>; other: string[] } {
  const byField = new Map<F, string[]>();
  const other: string[] = [];
  for (const violation of violations) {
    const field = fieldOf(violation);
    if (field === undefined) {
      other.push(violation.message);
      continue;
    }
    const message = relabelled(violation.message, [violation.field, field], titleOf(field), locale);
    const messages = byField.get(field) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byField.set(field, messages);
  }
  return { byField, other };
}
