import { Inject } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  closingState,
  deadlineFacts,
  desiredDeadlines,
  desiredSla,
  desiredTimers,
  type FactCase,
  loadFacts,
  PROGRAM_REGISTRY,
  REMINDER_DEADLINE_COLUMNS,
  type ReminderDeadline,
  syncReminders,
} from '@koryu/casework';
import type { DomainEvent } from '@koryu/queues';
import type { ProgramRegistry } from '@koryu/workflow';
import { EventConsumerClass, type EventConsumer } from '../event-consumer';


interface CaseRow extends FactCase {
  programVersion: number;
  version: number;
  state: string;
}

/**
 * Keeps each case's program deadlines in step with the case (DOMAIN.md deadlines per program):
 * on every change it recomputes what applies from the case as it is now in PostgreSQL (so events
 * replayed or out of date converge on the same rows), opens or moves those, and closes the others
 * as done, or cancelled when the case was given up. A new date or a reopening bumps the
 * deadline's generation, so reminders scheduled for the old one do nothing. The approval SLA of a
 * case in review (managers after 3 business days, admins after 5) and the timer transitions the
 * state waits for are kept the same way.
 */
@EventConsumerClass()
export class DeadlinesConsumer implements EventConsumer {
  constructor(@Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry) {}

  readonly name = 'deadlines';

  accepts(event: DomainEvent): boolean {
    return event.caseId !== null && event.type.startsWith('case.');
  }

  handle(event: DomainEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /** The cases of the events read in one statement; each case brought in line once, however many of its events came. */
  async handleBatch(events: DomainEvent[], tx: EntityManager): Promise<void> {
    const rows: CaseRow[] = await tx.query(
      `SELECT id, organisation_id AS "organisationId", program, program_version AS "programVersion", version, state, data, fiscal_year AS "fiscalYear", state_entered_at AS "stateEnteredAt"
         FROM workflow_case WHERE id = ANY ($1) ORDER BY id`,
      [[...new Set(events.map((event) => event.caseId))]],
    );
    // Not locked: a person's next action never waits for the worker. The case may move right after
    // this read; that move's own event is handled after this one (the case's advisory lock) and
    // brings the rows in line again. Only an ended timer must not come back from such a stale
    // read, so one is revived only when this read saw a later version than the one it ended at.
    for (const row of rows) await this.sync(row, tx);
  }

  private async sync(row: CaseRow, tx: EntityManager): Promise<void> {
    const def = this.programs.version(row.program, row.programVersion);
    if (!def) return;
    const query = <T>(text: string, params: unknown[]) => tx.query(text, params) as Promise<T[]>;
    const facts = await loadFacts(deadlineFacts(def, row.state), row as FactCase, query);
    const desired = desiredDeadlines(def, row, facts, new Date());

    const sla = desiredSla(def, row.state, new Date(row.stateEnteredAt));
    const wanted = [...desired.map((d) => ({ ...d, kind: 'program', audience: d.audience ?? null })), ...sla.map((d) => ({ ...d, kind: 'sla' }))];
    const timers = desiredTimers(def, row);
    // One statement for every write, and the case's deadlines as they are after it (the rows it
    // changed from RETURNING, the others as they were) for the reminders. Its parts touch
    // different rows: the wanted program deadlines, the other program ones, the custom ones (closed
    // only with the case), the wanted timers and the other pending ones.
    const deadlines = await query<ReminderDeadline>(
      `WITH upserted AS (
         INSERT INTO case_deadline (case_id, key, kind, title, due_at, all_day, remind_before, audience)
         SELECT $1, d.key, d.kind, d.title, d."dueAt", d."allDay", d."remindBefore", d.audience
           FROM jsonb_to_recordset($2::jsonb) AS d (key text, kind text, title jsonb, "dueAt" timestamptz, "allDay" boolean, "remindBefore" text[], audience text)
         ON CONFLICT (case_id, key) DO UPDATE SET
           title = EXCLUDED.title, all_day = EXCLUDED.all_day, remind_before = EXCLUDED.remind_before,
           generation = case_deadline.generation + CASE WHEN case_deadline.due_at <> EXCLUDED.due_at OR case_deadline.state <> 'open' THEN 1 ELSE 0 END,
           due_at = EXCLUDED.due_at, audience = EXCLUDED.audience, state = 'open', closed_at = NULL, updated_at = now()
         WHERE case_deadline.due_at <> EXCLUDED.due_at OR case_deadline.state <> 'open' OR case_deadline.title <> EXCLUDED.title
            OR case_deadline.remind_before <> EXCLUDED.remind_before
         RETURNING ${REMINDER_DEADLINE_COLUMNS}),
       closed AS (
         UPDATE case_deadline SET state = $4, closed_at = now(), updated_at = now(), generation = generation + 1
          WHERE case_id = $1 AND state = 'open' AND (kind IN ('program', 'sla') AND NOT (key = ANY ($3)) OR kind = 'custom' AND $5)
         RETURNING ${REMINDER_DEADLINE_COLUMNS}),
       timers AS (
         INSERT INTO case_timer (case_id, action, fire_at)
         SELECT $1, t.action, t."fireAt" FROM jsonb_to_recordset($6::jsonb) AS t (action text, "fireAt" timestamptz)
         ON CONFLICT (case_id, action) DO UPDATE SET fire_at = EXCLUDED.fire_at, state = 'pending', outcome = NULL, ended_version = NULL, updated_at = now(),
           generation = case_timer.generation + 1
         WHERE case_timer.state = 'pending' AND case_timer.fire_at <> EXCLUDED.fire_at
            OR case_timer.state <> 'pending' AND $8 > coalesce(case_timer.ended_version, -1)),
       cancelled AS (
         UPDATE case_timer SET state = 'cancelled', ended_version = $8, generation = generation + 1, updated_at = now()
          WHERE case_id = $1 AND state = 'pending' AND NOT (action = ANY ($7))),
       changed AS (SELECT * FROM upserted UNION ALL SELECT * FROM closed)
       SELECT * FROM changed
       UNION ALL
       SELECT ${REMINDER_DEADLINE_COLUMNS} FROM case_deadline WHERE case_id = $1 AND id NOT IN (SELECT id FROM changed)`,
      [
        row.id,
        JSON.stringify(wanted.map((d) => ({ key: d.key, kind: d.kind, title: d.title, dueAt: d.dueAt, allDay: d.allDay, remindBefore: d.remindBefore, audience: d.audience }))),
        wanted.map((d) => d.key),
        closingState(def, row.state),
        // A custom milestone belongs to the case, not to a state: it ends only when the case does.
        def.states.find((s) => s.key === row.state)?.terminal === true,
        JSON.stringify(timers.map((t) => ({ action: t.action, fireAt: t.fireAt }))),
        timers.map((t) => t.action),
        row.version,
      ],
    );
    await syncReminders(query, row.id, deadlines);
  }
}
