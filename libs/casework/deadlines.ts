import { DateTime, Duration } from 'luxon';
import { addBusinessDays, dueInstant, TOKYO } from '@koryu/calendar';
import type { DueSpec, Localized, ProgramDefinition } from '@koryu/workflow';

/** A deadline a case should have now, from its program's declarations and its data. */
export interface DesiredDeadline {
  key: string;
  title: Localized;
  dueAt: Date;
  allDay: boolean;
  remindBefore: readonly string[];
  /** Who hears of it when not the owning organisation's staff. */
  audience?: 'manager' | 'admin' | 'pending-invitees';
}

/** The facts the deadlines of the case's current state read. */
export function deadlineFacts(def: ProgramDefinition, state: string): string[] {
  return [...new Set((def.deadlines ?? []).filter((d) => d.whileIn.includes(state)).flatMap((d) => d.needs ?? []))];
}

function shift(due: DueSpec, by: Duration): DueSpec {
  if ('instant' in due) return { instant: DateTime.fromISO(due.instant, { zone: TOKYO }).plus(by).toUTC().toISO() as string };
  return { ...due, date: DateTime.fromISO(due.date, { zone: TOKYO }).plus(by).toISODate() as string };
}

/**
 * The program's deadlines that apply in the case's state. A recurring one (`repeatEvery`, the
 * six-monthly JICA progress report) is its next occurrence not yet past.
 */
export function desiredDeadlines(def: ProgramDefinition, snapshot: { state: string; data: Record<string, unknown> }, facts: Record<string, unknown>, now: Date): DesiredDeadline[] {
  const desired: DesiredDeadline[] = [];
  for (const deadline of def.deadlines ?? []) {
    if (!deadline.whileIn.includes(snapshot.state)) continue;
    let due = deadline.due(snapshot.data, facts);
    if (!due) continue;
    if (deadline.repeatEvery) {
      const every = Duration.fromISO(deadline.repeatEvery);
      for (let i = 0; i < 1000 && dueInstant(due) < now; i += 1) due = shift(due, every);
    }
    desired.push({
      key: deadline.key,
      title: deadline.title,
      dueAt: dueInstant(due),
      allDay: 'date' in due && !due.time,
      remindBefore: deadline.remindBefore ?? [],
      ...(deadline.audience === 'pending-invitees' ? { audience: 'pending-invitees' as const } : {}),
    });
  }
  return desired;
}

/** How a program deadline ends when the case leaves its states: done, or cancelled when the case was given up. */
export function closingState(def: ProgramDefinition, state: string): 'done' | 'cancelled' {
  return def.states.find((s) => s.key === state)?.abandoned ? 'cancelled' : 'done';
}

export type DeadlineStatus = 'upcoming' | 'due' | 'overdue' | 'done' | 'cancelled';

/** API.md "Deadlines": `due` on its Tokyo day, `overdue` once past, `upcoming` before. */
export function deadlineStatus(deadline: { state: string; dueAt: Date }, now: Date): DeadlineStatus {
  if (deadline.state === 'done' || deadline.state === 'cancelled') return deadline.state;
  if (deadline.dueAt.getTime() < now.getTime()) return 'overdue';
  const today = DateTime.fromJSDate(now, { zone: TOKYO }).toISODate();
  return DateTime.fromJSDate(deadline.dueAt, { zone: TOKYO }).toISODate() === today ? 'due' : 'upcoming';
}

/** The system actions the case's current state waits for, and when (DOMAIN.md timers). */
export function desiredTimers(def: ProgramDefinition, snapshot: { state: string; data: Record<string, unknown> }): { action: string; fireAt: Date }[] {
  return (def.timers ?? []).flatMap((timer) => {
    if (timer.whileIn !== snapshot.state) return [];
    const due = timer.due(snapshot.data);
    return due ? [{ action: timer.action, fireAt: dueInstant(due) }] : [];
  });
}

/** DOMAIN.md approval SLA: business days in review before managers are reminded, and admins alerted. */
export const APPROVAL_SLA = { remindManagersAfter: 3, escalateToAdminsAfter: 5 } as const;

/** The state a case waits in for a manager's approval: where `submit` leads (internal-review, policy-review). */
export function reviewState(def: ProgramDefinition): string | undefined {
  return def.actions.find((a) => a.key === 'submit')?.to;
}

/** The approval-SLA deadlines of a case waiting in review since `enteredAt`; none elsewhere. */
export function desiredSla(def: ProgramDefinition, state: string, enteredAt: Date): (DesiredDeadline & { audience: 'manager' | 'admin' })[] {
  if (state !== reviewState(def)) return [];
  return [
    { key: 'approval-sla-reminder', title: { ja: '決裁の滞留（3営業日）', en: 'Approval waiting 3 business days' }, dueAt: addBusinessDays(enteredAt, APPROVAL_SLA.remindManagersAfter), allDay: false, remindBefore: ['PT0S'], audience: 'manager' },
    { key: 'approval-sla-escalation', title: { ja: '決裁の滞留（5営業日）', en: 'Approval waiting 5 business days' }, dueAt: addBusinessDays(enteredAt, APPROVAL_SLA.escalateToAdminsAfter), allDay: false, remindBefore: ['PT0S'], audience: 'admin' },
  ];
}
