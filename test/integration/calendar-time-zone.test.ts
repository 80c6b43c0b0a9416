/**
 * Research T14: the business calendar is Tokyo's whatever the time zone of the process. The built
 * calendar (`dist/libs/calendar`, as the services run it) answers the same questions in child
 * processes whose TZ is UTC, New York (behind Tokyo, with daylight saving) and Kiritimati (UTC+14,
 * already the next day when Tokyo is not). Jest cannot change its own process's zone.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const CALENDAR = join(__dirname, '..', '..', 'dist', 'libs', 'calendar');

const QUESTIONS = `
  const c = require(${JSON.stringify(CALENDAR)});
  const jst = (text) => new Date(text + '+09:00');
  process.stdout.write(JSON.stringify({
    offsetInJuly: new Date('2026-07-01T12:00:00Z').getTimezoneOffset(),
    weeklyReminder: c.reminderInstant({ date: '2026-12-10' }, 'P7D').toISOString(),
    overNewYear: c.reminderInstant({ date: '2027-01-05' }, 'P7D').toISOString(),
    overMondayHoliday: c.reminderInstant({ date: '2026-07-21' }, 'P1D').toISOString(),
    lastMinuteOfHoliday: c.isBusinessDay(new Date('2026-05-06T14:59:59Z')),
    firstMinuteAfter: c.isBusinessDay(new Date('2026-05-06T15:00:00Z')),
    fiscalYearLastSecond: c.fiscalYearOf(new Date('2027-03-31T14:59:59Z')),
    fiscalYearFirstSecond: c.fiscalYearOf(new Date('2027-03-31T15:00:00Z')),
    slaOverGoldenWeek: c.addBusinessDays(jst('2026-04-28T10:00:00'), 3).toISOString(),
    digestAfterGoldenWeek: c.nextDigestAt(jst('2026-05-01T09:00:00')).toISOString(),
  }));
`;

const inZone = (zone: string) => JSON.parse(execFileSync(process.execPath, ['-e', QUESTIONS], { env: { PATH: process.env.PATH ?? '', TZ: zone }, encoding: 'utf8' }));

const TOKYO_ANSWERS = {
  weeklyReminder: '2026-12-03T00:00:00.000Z', // 09:00 JST, a week before
  overNewYear: '2026-12-28T00:00:00.000Z', // moved back over the 12/29–1/3 closure
  overMondayHoliday: '2026-07-17T00:00:00.000Z', // moved back over 海の日 and the weekend
  lastMinuteOfHoliday: false,
  firstMinuteAfter: true,
  fiscalYearLastSecond: 2026,
  fiscalYearFirstSecond: 2027,
  slaOverGoldenWeek: '2026-05-07T01:00:00.000Z',
  digestAfterGoldenWeek: '2026-05-06T23:30:00.000Z', // 08:30 JST on May 7
};

it.each([
  ['UTC', 0],
  ['America/New_York', 240],
  ['Pacific/Kiritimati', -840],
])('with the process in %s, the calendar answers in Tokyo time', (zone, offsetInJuly) => {
  expect(inZone(zone)).toEqual({ offsetInJuly, ...TOKYO_ANSWERS });
});
