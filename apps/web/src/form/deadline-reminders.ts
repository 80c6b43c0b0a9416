import type { MessageKey, MessageValues } from '../i18n';

/**
 * The reminders offered for a custom deadline, as the ISO-8601 durations the API takes
 * (`remindBefore`). Whole days are sent at 09:00 JST on that day (the business day before, on a
 * holiday); hours are exact, so they are offered for a deadline with a time only.
 */
export interface ReminderPreset {
  value: string;
  timedOnly?: boolean;
}

export const REMINDER_PRESETS: readonly ReminderPreset[] = [
  { value: 'PT1H', timedOnly: true },
  { value: 'PT3H', timedOnly: true },
  { value: 'P0D' },
  { value: 'P1D' },
  { value: 'P3D' },
  { value: 'P7D' },
  { value: 'P14D' },
  { value: 'P1M' },
];

/** The API takes at most 10. */
export const MAX_REMINDERS = 10;

const PRESET_KEYS: Record<string, MessageKey> = {
  PT1H: 'reminder.PT1H',
  PT3H: 'reminder.PT3H',
  P0D: 'reminder.P0D',
  P1D: 'reminder.P1D',
  P3D: 'reminder.P3D',
  P7D: 'reminder.P7D',
  P14D: 'reminder.P14D',
  P1M: 'reminder.P1M',
};

type Translate = (key: MessageKey, values?: MessageValues) => string;

/** A reminder in words: a preset's name, or one unit read from the duration (`P2D`, `PT10S`), or the duration itself. */
export function reminderLabel(value: string, t: Translate): string {
  const preset = PRESET_KEYS[value];
  if (preset) return t(preset);
  const match = /^P(?:(\d+)M|(\d+)W|(\d+)D|T(?:(\d+)H|(\d+)M|(\d+)S))$/.exec(value);
  if (!match) return value;
  const [, months, weeks, days, hours, minutes, seconds] = match;
  const units: [string | undefined, MessageKey][] = [
    [months, 'reminder.months'],
    [weeks, 'reminder.weeks'],
    [days, 'reminder.days'],
    [hours, 'reminder.hours'],
    [minutes, 'reminder.minutes'],
    [seconds, 'reminder.seconds'],
  ];
  for (const [n, key] of units) {
    if (n === undefined) continue;
    return Number(n) === 0 ? t('reminder.atDue') : t(key, { n: Number(n) });
  }
  return value;
}

/** The chosen reminders in the order of the presets (others after them, as chosen). */
export function sortReminders(values: readonly string[]): string[] {
  const order = (value: string) => {
    const index = REMINDER_PRESETS.findIndex((preset) => preset.value === value);
    return index < 0 ? REMINDER_PRESETS.length : index;
  };
  return [...values].sort((a, b) => order(a) - order(b));
}

/** Drops the reminders a deadline without a time cannot have (hours before the day's end). */
export function remindersFor(values: readonly string[], timed: boolean): string[] {
  return timed ? [...values] : values.filter((value) => !REMINDER_PRESETS.find((preset) => preset.value === value)?.timedOnly);
}

/** `dueAt` as the API takes it: the day alone (due 23:59:59 JST), or the day and time in JST with its offset. */
export function dueAtOf(date: string, time: string | undefined): string {
  return time ? `${date}T${time.length === 5 ? `${time}:00` : time}+09:00` : date;
}

/** Today in Japan, YYYY-MM-DD. */
export function todayInJapan(now = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}
