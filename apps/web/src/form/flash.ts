/**
 * A message for the next page ("Draft saved." after the form leads to the case): set before
 * routing, taken once by the page that shows it.
 */
let pending: string | undefined;

export function setFlash(text: string): void {
  pending = text;
}

export function takeFlash(): string | undefined {
  const text = pending;
  pending = undefined;
  return text;
}
