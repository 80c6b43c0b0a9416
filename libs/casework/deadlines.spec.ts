import { GOVERNOR_CONFERENCE, JICA_APPLICATION, TRAINEE_SECONDMENT } from '@koryu/workflow';
import { closingState, deadlineFacts, deadlineStatus, desiredDeadlines, desiredSla } from './deadlines';

const NOW = new Date('2026-11-24T03:00:00Z'); // 12:00 JST

describe('program deadlines of a case', () => {
  it('applies only in their states, from the data, as whole days due at 23:59:59 JST', () => {
    const data = { track: 'diplomatic-practice', startDate: '2027-04-01', hqMonths: 24 };
    expect(desiredDeadlines(TRAINEE_SECONDMENT, { state: 'accepted', data }, {}, NOW)).toEqual([]);
    expect(desiredDeadlines(TRAINEE_SECONDMENT, { state: 'at-headquarters', data }, {}, NOW)).toEqual([
      { key: 'posting-preparation', title: { ja: '赴任準備', en: 'Posting preparation' }, dueAt: new Date('2029-01-31T14:59:59Z'), allDay: true, remindBefore: ['P14D', 'P7D'] },
    ]);
  });

  it('gives a recurring deadline its next occurrence not yet past (JICA progress reports every six months)', () => {
    const facts = { stateEnteredOn: '2025-10-01' };
    expect(deadlineFacts(JICA_APPLICATION, 'in-progress')).toEqual(['stateEnteredOn']);
    const [progress] = desiredDeadlines(JICA_APPLICATION, { state: 'in-progress', data: {} }, facts, NOW);
    expect(progress).toMatchObject({ key: 'progress-report', dueAt: new Date('2027-04-01T14:59:59Z') });
  });

  it('counts the approval SLA in business days from entering review (over Golden Week), in the review state only', () => {
    const entered = new Date('2026-04-28T10:00:00+09:00');
    expect(desiredSla(JICA_APPLICATION, 'internal-review', entered).map((d) => [d.key, d.audience, d.dueAt.toISOString()])).toEqual([
      ['approval-sla-reminder', 'manager', new Date('2026-05-07T10:00:00+09:00').toISOString()],
      ['approval-sla-escalation', 'admin', new Date('2026-05-11T10:00:00+09:00').toISOString()],
    ]);
    expect(desiredSla(GOVERNOR_CONFERENCE, 'policy-review', entered)).toHaveLength(2);
    expect(desiredSla(JICA_APPLICATION, 'draft', entered)).toEqual([]);
  });

  it('ends as done when the case moves on, cancelled when it is given up', () => {
    expect(closingState(JICA_APPLICATION, 'submitted')).toBe('done');
    expect(closingState(JICA_APPLICATION, 'withdrawn')).toBe('cancelled');
    expect(closingState(JICA_APPLICATION, 'rejected')).toBe('cancelled');
  });

  it.each([
    [{ state: 'open', dueAt: new Date('2026-11-24T14:59:59Z') }, 'due'],
    [{ state: 'open', dueAt: new Date('2026-11-24T02:59:59Z') }, 'overdue'],
    [{ state: 'open', dueAt: new Date('2026-11-25T00:00:00Z') }, 'upcoming'],
    [{ state: 'open', dueAt: new Date('2026-11-24T15:00:00Z') }, 'upcoming'],
    [{ state: 'done', dueAt: new Date('2026-01-01T00:00:00Z') }, 'done'],
    [{ state: 'cancelled', dueAt: new Date('2030-01-01T00:00:00Z') }, 'cancelled'],
  ])('%o is %s at noon JST on 2026-11-24', (deadline, status) => {
    expect(deadlineStatus(deadline, NOW)).toBe(status);
  });
});
