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
import { preparedQueries } from '@koryu/persistence';
import type { DomainEvent } from '@koryu/queues';
import type { ProgramDefinition, ProgramRegistry } from '@koryu/workflow';
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
  /**
   * Its statements cost about as much for one case as for fifty, and the deadlines it keeps are
   * days away: its batches gather the events of a tenth of a second.
   */
  readonly lingerMs = 100;

  accepts(event: DomainEvent): boolean {
    return event.caseId !== null && event.type.startsWith('case.');
  }

  handle(event: DomainEvent, tx: EntityManager): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /**
   * The cases of the events read in one statement and brought in line in two more, whatever their
   * number; each case once, however many of its events came.
   */
  async handleBatch(events: DomainEvent[], tx: EntityManager): Promise<void> {
    const query = preparedQueries(tx);
    const rows = await query<CaseRow>(
      `SELECT id, organisation_id AS "organisationId", program, program_version AS "programVersion", version, state, data, fiscal_year AS "fiscalYear", state_entered_at AS "stateEnteredAt"
         FROM workflow_case WHERE id = ANY ($1)`,
      [[...new Set(events.map((event) => event.caseId))]],
    );
    // Not locked: a person's next action never waits for the worker. A case may move right after
    // this read; that move's own event is handled after this one (the case's advisory lock) and
    // brings the rows in line again. Only an ended timer must not come back from such a stale
    // read, so one is revived only when this read saw a later version than the one it ended at.
    const plans: CasePlan[] = [];
    for (const row of rows) {
      const def = this.programs.version(row.program, row.programVersion);
      if (def) plans.push(plan(def, row, await loadFacts(deadlineFacts(def, row.state), row, query)));
    }
    if (plans.length === 0) return;
    const changed = await query<ReminderDeadline>(WRITE_PLANS, [
      JSON.stringify(plans.map(({ caseId, version, closing, terminal }) => ({ caseId, version, closing, terminal }))),
      JSON.stringify(plans.flatMap((c) => c.deadlines)),
      JSON.stringify(plans.flatMap((c) => c.timers)),
    ]);
    await syncReminders(query, plans.map((c) => c.caseId), changed);
  }
}

/** What a case should have now: its program deadlines (and approval SLA) and pending timers. */
interface CasePlan {
  caseId: string;
  /** The case version read: an ended timer is revived only from a later one. */
  version: number;
  /** How deadlines no longer wanted end: done, or cancelled when the case was given up. */
  closing: 'done' | 'cancelled';
  /** A custom milestone belongs to the case, not to a state: it ends only when the case does. */
  terminal: boolean;
  deadlines: { caseId: string; key: string; kind: string; title: unknown; dueAt: Date; allDay: boolean; remindBefore: readonly string[]; audience: string | null }[];
  timers: { caseId: string; action: string; fireAt: Date }[];
}

function plan(def: ProgramDefinition, row: CaseRow, facts: Record<string, unknown>): CasePlan {
  const sla = desiredSla(def, row.state, new Date(row.stateEnteredAt));
  const wanted = [...desiredDeadlines(def, row, facts, new Date()).map((d) => ({ ...d, kind: 'program', audience: d.audience ?? null })), ...sla.map((d) => ({ ...d, kind: 'sla' }))];
  return {
    caseId: row.id,
    version: row.version,
    closing: closingState(def, row.state),
    terminal: def.states.find((s) => s.key === row.state)?.terminal === true,
    deadlines: wanted.map((d) => ({ caseId: row.id, key: d.key, kind: d.kind, title: d.title, dueAt: d.dueAt, allDay: d.allDay, remindBefore: d.remindBefore, audience: d.audience })),
    timers: desiredTimers(def, row).map((t) => ({ caseId: row.id, action: t.action, fireAt: t.fireAt })),
  };
}

/**
 * Every write of the plans in one statement; answers the deadlines it opened or changed, whose
 * reminders follow (those of deadlines it closed are dropped by syncReminders from the table). Its
 * parts touch different rows: the wanted program deadlines, the other program ones, the custom
 * ones (closed only with the case), the wanted timers and the other pending ones.
 */
const WRITE_PLANS = `
  WITH plans AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS p ("caseId" uuid, version integer, closing text, terminal boolean)
  ), wanted AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS d ("caseId" uuid, key text, kind text, title jsonb, "dueAt" timestamptz, "allDay" boolean, "remindBefore" text[], audience text)
  ), wanted_timers AS (
    SELECT * FROM jsonb_to_recordset($3::jsonb) AS t ("caseId" uuid, action text, "fireAt" timestamptz)
  ), upserted AS (
    INSERT INTO case_deadline (case_id, key, kind, title, due_at, all_day, remind_before, audience)
    SELECT "caseId", key, kind, title, "dueAt", "allDay", "remindBefore", audience FROM wanted
    ON CONFLICT (case_id, key) DO UPDATE SET
      title = EXCLUDED.title, all_day = EXCLUDED.all_day, remind_before = EXCLUDED.remind_before,
      generation = case_deadline.generation + CASE WHEN case_deadline.due_at <> EXCLUDED.due_at OR case_deadline.state <> 'open' THEN 1 ELSE 0 END,
      due_at = EXCLUDED.due_at, audience = EXCLUDED.audience, state = 'open', closed_at = NULL, updated_at = now()
    WHERE case_deadline.due_at <> EXCLUDED.due_at OR case_deadline.state <> 'open' OR case_deadline.title <> EXCLUDED.title
       OR case_deadline.remind_before <> EXCLUDED.remind_before
    RETURNING ${REMINDER_DEADLINE_COLUMNS}
  ), closed AS (
    UPDATE case_deadline d SET state = p.closing, closed_at = now(), updated_at = now(), generation = d.generation + 1
      FROM plans p
     WHERE d.case_id = p."caseId" AND d.state = 'open'
       AND (d.kind IN ('program', 'sla') AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w."caseId" = d.case_id AND w.key = d.key) OR d.kind = 'custom' AND p.terminal)
  ), timers AS (
    INSERT INTO case_timer (case_id, action, fire_at)
    SELECT "caseId", action, "fireAt" FROM wanted_timers
    ON CONFLICT (case_id, action) DO UPDATE SET fire_at = EXCLUDED.fire_at, state = 'pending', outcome = NULL, ended_version = NULL, updated_at = now(),
      generation = case_timer.generation + 1
    WHERE case_timer.state = 'pending' AND case_timer.fire_at <> EXCLUDED.fire_at
       OR case_timer.state <> 'pending' AND (SELECT p.version FROM plans p WHERE p."caseId" = case_timer.case_id) > coalesce(case_timer.ended_version, -1)
  ), cancelled AS (
    UPDATE case_timer t SET state = 'cancelled', ended_version = p.version, generation = t.generation + 1, updated_at = now()
      FROM plans p
     WHERE t.case_id = p."caseId" AND t.state = 'pending'
       AND NOT EXISTS (SELECT 1 FROM wanted_timers w WHERE w."caseId" = t.case_id AND w.action = t.action)
  )
  SELECT * FROM upserted`;
