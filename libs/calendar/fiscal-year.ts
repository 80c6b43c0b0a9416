import { DateTime, FixedOffsetZone } from 'luxon';

/** Japan's time zone by name, for Intl and for calendar files. */
export const TOKYO_ZONE_NAME = 'Asia/Tokyo';

/**
 * Japan's time zone for luxon, in which every business rule about dates is evaluated (DOMAIN.md
 * "Cross-cutting rules"): UTC+9 as a fixed offset. Japan has kept +09:00 all year since 1951 (no
 * summer time), so this is Asia/Tokyo for every date Koryu handles, and luxon need not ask Intl for
 * the zone's offset on every date it makes (that was a tenth of the worker's CPU in the P2 benchmark).
 */
export const TOKYO = FixedOffsetZone.instance(9 * 60);

/**
 * The fiscal year (年度) an instant or a `YYYY-MM-DD` date falls in: April 1 – March 31 in
 * Asia/Tokyo, named by its starting year (2027-03-31 → 2026).
 */
export function fiscalYearOf(when: Date | string): number {
  const day = typeof when === 'string' ? DateTime.fromISO(when, { zone: TOKYO }) : DateTime.fromJSDate(when, { zone: TOKYO });
  if (!day.isValid) throw new RangeError(`not a date: ${String(when)}`);
  return day.month >= 4 ? day.year : day.year - 1;
}

const ERA_YEAR = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', { era: 'long', year: 'numeric', timeZone: TOKYO_ZONE_NAME });

/**
 * The 和暦 name of a fiscal year, from the platform's ICU Japanese calendar (so a new era needs
 * no code change): 2026 → 令和8年度, 2019 → 令和元年度. The era is the one in force on
 * December 31 of the starting year, as ministries name years that straddle an era change.
 */
export function warekiFiscalYear(fiscalYear: number): string {
  const parts = ERA_YEAR.formatToParts(new Date(Date.UTC(fiscalYear, 11, 31, 3)));
  const era = parts.find((p) => p.type === 'era')?.value ?? '';
  const year = parts.find((p) => p.type === 'year')?.value ?? String(fiscalYear);
  return `${era}${year}年度`;
}

/** How a fiscal year reads in each language: 令和8年度（2026年度） / FY2026. */
export function fiscalYearLabel(fiscalYear: number, locale: 'ja' | 'en'): string {
  return locale === 'ja' ? `${warekiFiscalYear(fiscalYear)}（${fiscalYear}年度）` : `FY${fiscalYear}`;
}
