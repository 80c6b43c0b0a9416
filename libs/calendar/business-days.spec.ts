import { DateTime } from 'luxon';
import { addBusinessDays, dueInstant, isBusinessDay, nextDigestAt, reminderInstant } from './business-days';

/** An instant written in Tokyo time, for readable expectations. */
const jst = (text: string) => new Date(`${text}+09:00`);

describe('business days (Mon–Fri, minus Japanese public holidays and 12/29–1/3)', () => {
  it.each([
    ['2026-04-28', true, 'a Tuesday before Golden Week'],
    ['2026-04-29', false, '昭和の日'],
    ['2026-05-01', true, 'the Friday between the holidays'],
    ['2026-05-04', false, 'みどりの日 (Monday)'],
    ['2026-05-06', false, '振替休日 for 憲法記念日 on a Sunday'],
    ['2026-05-07', true, 'the day after Golden Week'],
    ['2026-07-20', false, '海の日, a Monday holiday'],
    ['2026-09-22', false, '国民の休日 between 敬老の日 and 秋分の日'],
    ['2026-11-28', false, 'a Saturday'],
    ['2026-12-28', true, 'the last working day of the year'],
    ['2026-12-29', false, 'year-end closure'],
    ['2027-01-01', false, '元日'],
    ['2027-01-02', false, 'year-end closure (a Saturday anyway)'],
    ['2027-01-04', true, 'the first working day of the year'],
  ])('%s is a business day: %s (%s)', (day, expected) => {
    expect(isBusinessDay(day)).toBe(expected);
  });

  it('reads instants in Tokyo: 2026-05-06T15:00Z is already Thursday May 7 in Japan', () => {
    expect(isBusinessDay(new Date('2026-05-06T14:59:59Z'))).toBe(false);
    expect(isBusinessDay(new Date('2026-05-06T15:00:00Z'))).toBe(true);
  });

  it('counts the approval SLA in business days, over Golden Week and the New Year', () => {
    expect(addBusinessDays(jst('2026-04-28T10:00:00'), 3)).toEqual(jst('2026-05-07T10:00:00'));
    expect(addBusinessDays(jst('2026-12-25T16:30:00'), 3)).toEqual(jst('2027-01-05T16:30:00'));
  });

  it('adds business days as counting them one calendar day at a time would, from every day of 2026–2028 at early, midday and late Tokyo times', () => {
    const byCounting = (from: Date, count: number): Date => {
      let day = DateTime.fromJSDate(from, { zone: 'Asia/Tokyo' });
      for (let added = 0; added < count; ) {
        day = day.plus({ days: 1 });
        if (isBusinessDay(day.toJSDate())) added += 1;
      }
      return day.toJSDate();
    };
    const differing: string[] = [];
    for (let from = jst('2026-01-01T00:00:00').getTime(); from < jst('2029-01-01T00:00:00').getTime(); from += 86_400_000) {
      for (const hours of [0, 12.5, 23.99]) {
        const start = new Date(from + hours * 3_600_000);
        for (const count of [1, 3, 5]) if (addBusinessDays(start, count).getTime() !== byCounting(start, count).getTime()) differing.push(`${start.toISOString()} + ${count}`);
      }
    }
    expect(differing).toEqual([]);
  });
});

describe('when a deadline is due and its reminders are sent', () => {
  it('makes a whole day due at 23:59:59 JST, a day with a time at that Tokyo time, an instant itself', () => {
    expect(dueInstant({ date: '2026-12-10' })).toEqual(jst('2026-12-10T23:59:59'));
    expect(dueInstant({ date: '2027-01-22', time: '09:00' })).toEqual(jst('2027-01-22T09:00:00'));
    expect(dueInstant({ instant: '2026-12-01T08:00:00Z' })).toEqual(new Date('2026-12-01T08:00:00Z'));
  });

  it('sends a whole-day reminder at 09:00 JST on that day when it is a business day', () => {
    expect(reminderInstant({ date: '2026-12-10' }, 'P7D')).toEqual(jst('2026-12-03T09:00:00'));
  });

  it('moves a reminder that falls on a weekend back to the Friday', () => {
    // 2026-12-14 (Mon) − 1 day = Sunday 12/13 → Friday 12/11.
    expect(reminderInstant({ date: '2026-12-14' }, 'P1D')).toEqual(jst('2026-12-11T09:00:00'));
  });

  it('moves a reminder back over Golden Week and over the year-end closure', () => {
    // 2026-05-08 − 3 days = Tuesday 5/5 (こどもの日) → Friday 5/1.
    expect(reminderInstant({ date: '2026-05-08' }, 'P3D')).toEqual(jst('2026-05-01T09:00:00'));
    // 2027-01-05 − 7 days = 12/29 (closure) → Monday 12/28.
    expect(reminderInstant({ date: '2027-01-05' }, 'P7D')).toEqual(jst('2026-12-28T09:00:00'));
    // 2026-07-21 − 1 day = 海の日 (Monday) → Friday 7/17.
    expect(reminderInstant({ date: '2026-07-21' }, 'P1D')).toEqual(jst('2026-07-17T09:00:00'));
  });

  it('keeps sub-day offsets exact, whatever the day', () => {
    expect(reminderInstant({ instant: '2026-05-04T03:00:00Z' }, 'PT2H')).toEqual(new Date('2026-05-04T01:00:00Z'));
    expect(reminderInstant({ instant: '2026-11-29T12:00:10Z' }, 'PT10S')).toEqual(new Date('2026-11-29T12:00:00Z'));
    expect(reminderInstant({ date: '2026-12-10', time: '10:00' }, 'PT2H')).toEqual(jst('2026-12-10T08:00:00'));
    expect(reminderInstant({ date: '2026-12-10', time: '10:00' }, 'PT1H30M')).toEqual(jst('2026-12-10T08:30:00'));
  });

  it('sends a PT0S reminder at the due instant itself, not at 09:00 that day (the approval SLA: 3 business days to the minute)', () => {
    expect(reminderInstant({ instant: '2026-12-03T06:00:00Z' }, 'PT0S')).toEqual(new Date('2026-12-03T06:00:00Z'));
    expect(reminderInstant({ date: '2026-12-10', time: '15:00' }, 'PT0S')).toEqual(jst('2026-12-10T15:00:00'));
  });

  it('counts an offset with days and a time part back from the due instant, on the calendar', () => {
    // Saturday 12/12 15:00 − 1 day 2 hours = Friday 12/11 13:00: exact, not moved to a business day.
    expect(reminderInstant({ date: '2026-12-12', time: '15:00' }, 'P1DT2H')).toEqual(jst('2026-12-11T13:00:00'));
    expect(reminderInstant({ date: '2026-12-13', time: '15:00' }, 'P1DT2H')).toEqual(jst('2026-12-12T13:00:00'));
  });

  it('answers an offset asked again from its parsed form, each text its own (parsed once)', () => {
    // Thursday 12/10 − 7 days = Thursday 12/03, 09:00; asked again, for another day, the same offset.
    expect(reminderInstant({ date: '2026-12-10' }, 'P7D')).toEqual(jst('2026-12-03T09:00:00'));
    expect(reminderInstant({ date: '2026-12-17' }, 'P7D')).toEqual(jst('2026-12-10T09:00:00'));
    // Another text is not answered from P7D's: Monday 12/14 − 1 day = Sunday, so Friday 12/11.
    expect(reminderInstant({ date: '2026-12-14' }, 'P1D')).toEqual(jst('2026-12-11T09:00:00'));
  });

  it('refuses what is not a duration', () => {
    expect(() => reminderInstant({ date: '2026-12-10' }, '7 days')).toThrow(RangeError);
    // Asked again, refused again: only valid offsets are kept in the cache of parsed ones.
    expect(() => reminderInstant({ date: '2026-12-10' }, '7 days')).toThrow(RangeError);
  });
});

describe('the managers’ daily digest', () => {
  it.each([
    ['2026-11-27T08:00:00', '2026-11-27T08:30:00', 'a Friday morning: today'],
    ['2026-11-27T08:30:00', '2026-11-27T08:30:00', 'exactly at 08:30'],
    ['2026-11-27T09:00:00', '2026-11-30T08:30:00', 'after 08:30 on a Friday: Monday'],
    ['2026-04-28T12:00:00', '2026-04-30T08:30:00', 'over 昭和の日'],
    ['2026-12-28T10:00:00', '2027-01-04T08:30:00', 'over the year-end closure'],
  ])('from %s JST the next digest is at %s JST (%s)', (now, next) => {
    expect(nextDigestAt(jst(now))).toEqual(jst(next));
  });
});
