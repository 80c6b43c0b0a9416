import holidayJp from '@holiday-jp/holiday_jp';
import { DateTime, Duration } from 'luxon';
import { TOKYO } from './fiscal-year';

/**
 * Business days of a Japanese local government (DOMAIN.md "Cross-cutting rules"): Monday to
 * Friday, minus national holidays (including 振替休日 and 国民の休日) from the maintained
 * @holiday-jp/holiday_jp table, minus the year-end closure 12/29–1/3.
 */
const HOLIDAYS: ReadonlySet<number> = new Set(Object.keys(holidayJp.holidays).map((date) => Number(date.replaceAll('-', ''))));

/** Japan's offset from UTC, TOKYO's own (fixed: no summer time since 1951). */
const TOKYO_OFFSET_MS = TOKYO.offset(0) * 60_000;
const DAY_MS = 86_400_000;

/**
 * Whether a Tokyo calendar date (weekday 1 = Monday … 7 = Sunday) is a business day. Plain numbers:
 * the deadline consumer asks about a dozen days for every event (the approval SLA), and luxon's
 * date objects made that a fifth of its CPU.
 */
function isBusinessDate(year: number, month: number, day: number, weekday: number): boolean {
  const yearEndClosure = (month === 12 && day >= 29) || (month === 1 && day <= 3);
  return weekday <= 5 && !yearEndClosure && !HOLIDAYS.has(year * 10_000 + month * 100 + day);
}

/** The Tokyo calendar day of an instant, or of a `YYYY-MM-DD`. */
export function tokyoDay(when: Date | string): DateTime {
  const day = typeof when === 'string' ? DateTime.fromISO(when, { zone: TOKYO }) : DateTime.fromJSDate(when, { zone: TOKYO });
  if (!day.isValid) throw new RangeError(`not a date: ${String(when)}`);
  return day.startOf('day');
}

export function isBusinessDay(when: Date | string | DateTime): boolean {
  // Weekday and date are the same at any time of the day: no need to go to its start.
  const day = DateTime.isDateTime(when) ? (when.zone.equals(TOKYO) ? when : when.setZone(TOKYO)) : tokyoDay(when);
  return isBusinessDate(day.year, day.month, day.day, day.weekday);
}

/** The day itself when it is a business day, else the nearest earlier one. */
export function businessDayOnOrBefore(day: DateTime): DateTime {
  let current = day.setZone(TOKYO).startOf('day');
  while (!isBusinessDay(current)) current = current.minus({ days: 1 });
  return current;
}

/** The instant `count` business days after `from`, at the same Tokyo wall time (approval SLA). */
export function addBusinessDays(from: Date, count: number): Date {
  // A Tokyo day is always 24 hours long; shifted by the offset, UTC's fields are Tokyo's wall clock.
  let at = from.getTime();
  for (let added = 0; added < count; ) {
    at += DAY_MS;
    const tokyo = new Date(at + TOKYO_OFFSET_MS);
    if (isBusinessDate(tokyo.getUTCFullYear(), tokyo.getUTCMonth() + 1, tokyo.getUTCDate(), tokyo.getUTCDay() || 7)) added += 1;
  }
  return new Date(at);
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
 * day, moved to the nearest earlier business day; offsets with a time part (`PT2H`, `PT10S`, and
 * `PT0S`: at the due instant itself, as the approval SLA's are) are exact, counted back from the
 * due instant.
 */
export function reminderInstant(due: Due, before: string): Date {
  const offset = parseOffset(before);
  const dueAt = dueInstant(due);
  // Hours and smaller are the same length in every Tokyo day (no summer time): plain arithmetic.
  if (offset.millis !== undefined) return new Date(dueAt.getTime() - offset.millis);
  if (offset.exact) return DateTime.fromJSDate(dueAt, { zone: TOKYO }).minus(offset.duration).toJSDate();
  const day = businessDayOnOrBefore(tokyoDay(dueAt).minus(offset.duration));
  return day.set({ hour: REMINDER_HOUR }).toJSDate();
}

interface Offset {
  duration: Duration;
  /** Written with a time part (`T`): counted back from the due instant, not from its day. */
  exact: boolean;
  /** Its length, when it has a time part and no calendar part (days and longer). */
  millis?: number;
}

/** Offsets parsed, by their text: programs declare a handful, and each event asks again. */
const offsets = new Map<string, Offset>();

function parseOffset(before: string): Offset {
  const known = offsets.get(before);
  if (known) return known;
  const duration = Duration.fromISO(before);
  if (!duration.isValid) throw new RangeError(`not an ISO-8601 duration: ${before}`);
  const exact = before.toUpperCase().includes('T');
  const calendar = duration.years !== 0 || duration.quarters !== 0 || duration.months !== 0 || duration.weeks !== 0 || duration.days !== 0;
  const offset = { duration, exact, millis: exact && !calendar ? duration.toMillis() : undefined };
  // Custom deadlines bring their own offsets: a bounded cache, emptied when full.
  if (offsets.size >= 256) offsets.clear();
  offsets.set(before, offset);
  return offset;
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
