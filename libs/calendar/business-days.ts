import holidayJp from '@holiday-jp/holiday_jp';
import { DateTime, Duration } from 'luxon';
import { TOKYO } from './fiscal-year';

/**
 * Business days of a Japanese local government (DOMAIN.md "Cross-cutting rules"): Monday to
 * Friday, minus national holidays (including 振替休日 and 国民の休日) from the maintained
 * @holiday-jp/holiday_jp table, minus the year-end closure 12/29–1/3.
 */
const HOLIDAYS: ReadonlySet<string> = new Set(Object.keys(holidayJp.holidays));

/** The Tokyo calendar day of an instant, or of a `YYYY-MM-DD`. */
export function tokyoDay(when: Date | string): DateTime {
  const day = typeof when === 'string' ? DateTime.fromISO(when, { zone: TOKYO }) : DateTime.fromJSDate(when, { zone: TOKYO });
  if (!day.isValid) throw new RangeError(`not a date: ${String(when)}`);
  return day.startOf('day');
}

export function isYearEndClosure(day: DateTime): boolean {
  return (day.month === 12 && day.day >= 29) || (day.month === 1 && day.day <= 3);
}

export function isHoliday(day: DateTime): boolean {
  return HOLIDAYS.has(day.toISODate() as string);
}

export function isBusinessDay(when: Date | string | DateTime): boolean {
  const day = DateTime.isDateTime(when) ? when.setZone(TOKYO).startOf('day') : tokyoDay(when);
  return day.weekday <= 5 && !isHoliday(day) && !isYearEndClosure(day);
}

/** The day itself when it is a business day, else the nearest earlier one. */
export function businessDayOnOrBefore(day: DateTime): DateTime {
  let current = day.setZone(TOKYO).startOf('day');
  while (!isBusinessDay(current)) current = current.minus({ days: 1 });
  return current;
}

/** The instant `count` business days after `from`, at the same Tokyo wall time (approval SLA). */
export function addBusinessDays(from: Date, count: number): Date {
  let current = DateTime.fromJSDate(from, { zone: TOKYO });
  for (let added = 0; added < count; ) {
    current = current.plus({ days: 1 });
    if (isBusinessDay(current)) added += 1;
  }
  return current.toJSDate();
}

/** A date relative to case data, as the definitions declare it (libs/workflow DueSpec). */
export type Due = { date: string; time?: string } | { instant: string };

/**
 * When a deadline falls due: a whole day is due at its end, 23:59:59 JST (API.md "Deadlines"); a
 * day with a time is that Tokyo wall time; an instant is itself.
 */
export function dueInstant(due: Due): Date {
  if ('instant' in due) return new Date(due.instant);
  const day = DateTime.fromISO(due.date, { zone: TOKYO });
  if (!day.isValid) throw new RangeError(`not a date: ${due.date}`);
  if (!due.time) return day.set({ hour: 23, minute: 59, second: 59, millisecond: 0 }).toJSDate();
  const [hour, minute] = due.time.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

/** A whole-day reminder is sent at this Tokyo time on its (business) day. */
export const REMINDER_HOUR = 9;

/**
 * When the reminder `before` (an ISO-8601 duration) of a deadline is sent. Whole-day offsets
 * (`P7D`, `P1W`, `P1M`) count back from the deadline's Tokyo day and are sent at 09:00 JST on that
 * day, moved to the nearest earlier business day; offsets with a time part (`PT2H`, `PT10S`) are
 * exact, counted back from the due instant.
 */
export function reminderInstant(due: Due, before: string): Date {
  const offset = Duration.fromISO(before);
  if (!offset.isValid) throw new RangeError(`not an ISO-8601 duration: ${before}`);
  const dueAt = dueInstant(due);
  const hasTime = offset.hours !== 0 || offset.minutes !== 0 || offset.seconds !== 0 || offset.milliseconds !== 0;
  if (hasTime) return DateTime.fromJSDate(dueAt, { zone: TOKYO }).minus(offset).toJSDate();
  const day = businessDayOnOrBefore(tokyoDay(dueAt).minus(offset));
  return day.set({ hour: REMINDER_HOUR }).toJSDate();
}

/** Managers' daily digest: this Tokyo time on business days (DOMAIN.md Notifications). */
export const DIGEST_TIME = { hour: 8, minute: 30 } as const;

/** The next digest instant at or after `now`: 08:30 JST on the next business day (today if still ahead). */
export function nextDigestAt(now: Date): Date {
  let day = DateTime.fromJSDate(now, { zone: TOKYO }).startOf('day');
  for (;;) {
    const at = day.set({ hour: DIGEST_TIME.hour, minute: DIGEST_TIME.minute });
    if (isBusinessDay(day) && at.toMillis() >= now.getTime()) return at.toJSDate();
    day = day.plus({ days: 1 });
  }
}
