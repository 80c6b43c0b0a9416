/**
 * What the user typed into a form, kept in sessionStorage until the action succeeds: an error, a
 * reload or an ended session (login and back, in the same tab) never loses it. Sign-out clears
 * all drafts, as city-hall computers are often shared.
 */
const PREFIX = 'koryu.draft.';

export function readDraft(key: string): string {
  try {
    return sessionStorage.getItem(PREFIX + key) ?? '';
  } catch {
    return '';
  }
}

export function writeDraft(key: string, text: string): void {
  try {
    if (text) sessionStorage.setItem(PREFIX + key, text);
    else sessionStorage.removeItem(PREFIX + key);
  } catch {
    // Storage off or full: the text still lives in the form.
  }
}

/** A form's whole state (a JSON value), or undefined when none is kept or it cannot be read. */
export function readDraftJson<T>(key: string): T | undefined {
  const text = readDraft(key);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Keeps a form's state; undefined forgets it. */
export function writeDraftJson(key: string, value: unknown): void {
  writeDraft(key, value === undefined ? '' : JSON.stringify(value));
}

export function clearDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  } catch {
    // Nothing stored.
  }
}
