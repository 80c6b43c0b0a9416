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

export function clearDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  } catch {
    // Nothing stored.
  }
}
