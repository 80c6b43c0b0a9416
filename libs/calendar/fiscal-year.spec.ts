import { DateTime } from 'luxon';
import { fiscalYearLabel, fiscalYearOf, TOKYO, TOKYO_ZONE_NAME, warekiFiscalYear } from './fiscal-year';

describe('fiscal year (April–March, Asia/Tokyo)', () => {
  it.each([
    ['2026-04-01', 2026],
    ['2027-03-31', 2026],
    ['2027-04-01', 2027],
    ['2026-01-15', 2025],
  ])('%s falls in FY%d', (date, year) => {
    expect(fiscalYearOf(date)).toBe(year);
  });

  it('reads instants in Tokyo: 2027-03-31T15:00Z is already April 1 in Japan', () => {
    expect(fiscalYearOf(new Date('2027-03-31T14:59:59Z'))).toBe(2026);
    expect(fiscalYearOf(new Date('2027-03-31T15:00:00Z'))).toBe(2027);
  });

  it('refuses what is not a date', () => {
    expect(() => fiscalYearOf('2026-13-01')).toThrow(RangeError);
  });

  it.each([
    [2026, '令和8年度'],
    [2019, '令和元年度'],
    [2018, '平成30年度'],
    [1989, '平成元年度'],
    [1988, '昭和63年度'],
  ])('FY%d is %s', (year, wareki) => {
    expect(warekiFiscalYear(year)).toBe(wareki);
  });

  it('labels a fiscal year in each language', () => {
    expect(fiscalYearLabel(2026, 'ja')).toBe('令和8年度（2026年度）');
    expect(fiscalYearLabel(2026, 'en')).toBe('FY2026');
  });
});

describe('TOKYO', () => {
  it('is Asia/Tokyo as the platform time zone database has it, on the first and fifteenth of every month from 1960 to 2100', () => {
    const differing: string[] = [];
    for (let year = 1960; year <= 2100; year += 1) {
      for (let month = 1; month <= 12; month += 1) {
        for (const day of [1, 15]) {
          const fixed = DateTime.fromObject({ year, month, day, hour: 12 }, { zone: TOKYO });
          const named = DateTime.fromObject({ year, month, day, hour: 12 }, { zone: TOKYO_ZONE_NAME });
          if (fixed.toMillis() !== named.toMillis()) differing.push(fixed.toISODate() as string);
        }
      }
    }
    expect(differing).toEqual([]);
  });
});
