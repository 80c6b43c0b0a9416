import { DateTime } from 'luxon';
import { reminderInstant, TOKYO } from '@koryu/calendar';
import type { Query } from './facts';

/**
 * Brings the reminder rows of a case's open deadlines in line with their dates and generations
 * (in the caller's transaction). A reminder whose deadline moved gets the new time and generation
 * and may fire again; one whose time had already passed when it was computed is skipped rather
 * than sent late in a burst; reminders of closed deadlines are dropped unless already sent.
 */
export async function syncReminders(query: Query, caseId: string, now = new Date()): Promise<void> {
  const deadlines = await query<{ id: string; dueAt: Date; allDay: boolean; remindBefore: string[]; generation: number; state: string }>(
    `SELECT id, due_at AS "dueAt", all_day AS "allDay", remind_before AS "remindBefore", generation, state FROM case_deadline WHERE case_id = $1`,
    [caseId],
  );
  for (const deadline of deadlines) {
    const due = deadline.allDay ? { date: DateTime.fromJSDate(new Date(deadline.dueAt), { zone: TOKYO }).toISODate() as string } : { instant: new Date(deadline.dueAt).toISOString() };
    const wanted = deadline.state === 'open' ? deadline.remindBefore : [];
    for (const before of wanted) {
      const fireAt = reminderInstant(due, before);
      await query(
        `INSERT INTO deadline_reminder (deadline_id, before, fire_at, generation, skipped, sent_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN now() END)
         ON CONFLICT (deadline_id, before) DO UPDATE SET fire_at = EXCLUDED.fire_at, generation = EXCLUDED.generation, skipped = EXCLUDED.skipped, sent_at = EXCLUDED.sent_at
         WHERE deadline_reminder.generation <> EXCLUDED.generation`,
        [deadline.id, before, fireAt, deadline.generation, fireAt.getTime() < now.getTime() - 1000],
      );
    }
    await query(`DELETE FROM deadline_reminder WHERE deadline_id = $1 AND sent_at IS NULL AND NOT (before = ANY ($2))`, [deadline.id, wanted]);
  }
}
