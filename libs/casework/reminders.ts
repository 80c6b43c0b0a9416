import { DateTime } from 'luxon';
import { reminderInstant, TOKYO } from '@koryu/calendar';
import type { Query } from './facts';

/** A deadline as the reminders need it. */
export interface ReminderDeadline {
  id: string;
  dueAt: Date;
  allDay: boolean;
  remindBefore: string[];
  generation: number;
  state: string;
}

/** Selects a case's deadlines as `ReminderDeadline` (the caller adds `FROM … WHERE`). */
export const REMINDER_DEADLINE_COLUMNS = `id, due_at AS "dueAt", all_day AS "allDay", remind_before AS "remindBefore", generation, state`;

/**
 * When each of a deadline's reminders fires (offsets before its due instant, or 09:00 JST on the
 * business day for an all-day one), and whether that time had already passed at `now`: such a
 * reminder is skipped rather than sent late in a burst.
 */
export function reminderTimes(deadline: Pick<ReminderDeadline, 'dueAt' | 'allDay' | 'remindBefore'>, now: Date): { before: string; fireAt: Date; skipped: boolean }[] {
  const due = deadline.allDay ? { date: DateTime.fromJSDate(new Date(deadline.dueAt), { zone: TOKYO }).toISODate() as string } : { instant: new Date(deadline.dueAt).toISOString() };
  return deadline.remindBefore.map((before) => {
    const fireAt = reminderInstant(due, before);
    return { before, fireAt, skipped: fireAt.getTime() < now.getTime() - 1000 };
  });
}

/**
 * Brings the reminder rows of the cases' open deadlines in line with their dates and generations
 * (in the caller's transaction), in one statement. `deadlines` are those the caller opened or
 * changed (every deadline of the cases is read when not given); reminders of deadlines no longer
 * open, or of an offset taken out, are found in the table and dropped unless already sent. A
 * reminder whose deadline moved gets the new time and generation and may fire again (or is
 * skipped, see reminderTimes).
 */
export async function syncReminders(query: Query, caseIds: readonly string[], deadlines?: ReminderDeadline[], now = new Date()): Promise<void> {
  deadlines ??= await query<ReminderDeadline>(`SELECT ${REMINDER_DEADLINE_COLUMNS} FROM case_deadline WHERE case_id = ANY ($1)`, [caseIds]);
  const wanted = deadlines
    .filter((deadline) => deadline.state === 'open')
    .flatMap((deadline) => reminderTimes(deadline, now).map((time) => ({ deadlineId: deadline.id, generation: deadline.generation, ...time })));
  // The two parts touch different rows: wanted ones belong to open deadlines and their offsets, the deleted ones do not.
  await query(
    `WITH upserted AS (
       INSERT INTO deadline_reminder (deadline_id, before, fire_at, generation, skipped, sent_at)
       SELECT r."deadlineId", r.before, r."fireAt", r.generation, r.skipped, CASE WHEN r.skipped THEN now() END
         FROM jsonb_to_recordset($1::jsonb) AS r ("deadlineId" uuid, before text, "fireAt" timestamptz, generation integer, skipped boolean)
       ON CONFLICT (deadline_id, before) DO UPDATE SET fire_at = EXCLUDED.fire_at, generation = EXCLUDED.generation, skipped = EXCLUDED.skipped, sent_at = EXCLUDED.sent_at
       WHERE deadline_reminder.generation <> EXCLUDED.generation)
     DELETE FROM deadline_reminder r USING case_deadline d
      WHERE d.id = r.deadline_id AND d.case_id = ANY ($2) AND r.sent_at IS NULL AND NOT (d.state = 'open' AND r.before = ANY (d.remind_before))`,
    [JSON.stringify(wanted), caseIds],
  );
}
