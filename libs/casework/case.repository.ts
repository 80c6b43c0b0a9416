import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { requireActor } from '@koryu/platform';
import { preparedQuery, retryOnConflict, SideConnection } from '@koryu/persistence';
import { OutboxWaker } from '@koryu/queues';
import type { Query } from './facts';
import { RecentCases } from './recent-cases';
import { reminderTimes } from './reminders';

export interface CaseRow {
  id: string;
  program: string;
  programVersion: number;
  organisationId: string;
  title: string;
  state: string;
  data: Record<string, unknown>;
  version: number;
  fiscalYear: number | null;
  invitedOrganisationIds: string[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  stateEnteredAt: Date;
  /** Read with the case where the statement asks for them (a GET, a write); JSON, so dates are strings. */
  deadlines?: DeadlineRow[];
}

/** How the caller sees a case: as its owner, or as an invited organisation (public fields only). */
export interface VisibleCase extends CaseRow {
  access: 'owner' | 'invitee';
  /** Kind of the owning organisation (rules such as APPLICANT_NOT_ELIGIBLE read it). */
  ownerKind?: 'prefecture' | 'municipality' | 'association';
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface HistoryRow {
  at: Date;
  actor: { kind: 'user' | 'system'; id: string | null; name: string | null };
  action: string;
  from: string | null;
  to: string;
  comment: string | null;
  changes: FieldChange[];
  override: { reason: string; rules: string[] } | null;
}

export interface DeadlineRow {
  id: string;
  caseId: string;
  key: string;
  kind: 'program' | 'custom';
  title: { ja: string; en: string };
  dueAt: Date;
  allDay: boolean;
  remindBefore: string[];
  state: 'open' | 'done' | 'cancelled';
}

export interface CaseFilter {
  program?: string;
  state?: string;
  fiscalYear?: number;
  q?: string;
  page: number;
  pageSize: number;
  /** Keyset position: the (updated_at, id) of the last row of the previous page. */
  after?: ListPosition;
}

/** Where a page ended: updated_at in exact microseconds (a JS Date would round it) and the id. */
export interface ListPosition {
  micros: string;
  id: string;
}

/** One write: the case row's new values and what history and the outbox record about it. */
export interface CaseWrite {
  id: string;
  expectedVersion: number;
  state: string;
  data: Record<string, unknown>;
  title: string;
  fiscalYear: number | null;
  invitedOrganisationIds: string[];
  stateChanged: boolean;
  history: { actorUserId: string | null; action: string; from: string; comment: string | null; changes: FieldChange[]; override: HistoryRow['override'] };
  event: { type: 'case.transitioned' | 'case.updated'; payload: Record<string, unknown> };
}

export const CASE_COLUMNS = `c.id, c.program, c.program_version AS "programVersion", c.organisation_id AS "organisationId", c.title, c.state,
  c.data, c.version, c.fiscal_year AS "fiscalYear", c.invited_organisation_ids AS "invitedOrganisationIds", c.created_by AS "createdBy",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.state_entered_at AS "stateEnteredAt"`;

export const DEADLINE_FIELDS = `d.id, d.case_id AS "caseId", d.key, d.kind, d.title, d.due_at AS "dueAt", d.all_day AS "allDay", d.remind_before AS "remindBefore", d.state`;

/**
 * Case `c` invites organisation `$n`. Written with `@>` so that the GIN index on
 * `invited_organisation_ids` serves it: `$n = ANY (…)` cannot use that index, and in an OR it made
 * PostgreSQL read the whole table for every list.
 */
export const invitedTo = (n: number) => `c.invited_organisation_ids @> ARRAY[$${n}::uuid]`;

/** The cases organisation `$n` sees: its own, and those it is invited to. */
export const visibleTo = (n: number) => `(c.organisation_id = $${n} OR ${invitedTo(n)})`;

/**
 * The two halves of what organisation `$1` sees, each with the list's `filters`: its own cases
 * (workflow_case_list_idx and the program/state index serve them) and those it is invited to (the
 * GIN index). Kept apart, each half is read in index order, where one OR over both made PostgreSQL
 * fetch and sort every case of the organisation for any page.
 */
function visibleHalves(filters: readonly string[]): [string, string] {
  const rest = filters.map((f) => ` AND ${f}`).join('');
  return [`c.organisation_id = $1${rest}`, `${invitedTo(1)} AND c.organisation_id <> $1${rest}`];
}

/**
 * The statement of a list page (CaseRepository.list; the P4 benchmark runs the same text): the
 * cases `$1` sees that match `filters`, then `position` (a keyset condition) when given, newest
 * change first; LIMIT and OFFSET are the parameters `limit` and `limit + 1`. Each half is limited
 * to the rows the page can need before the two are merged. Every row carries the total of
 * `filters` (one count, evaluated once), so a page is one round trip.
 */
export function caseListSql(filters: readonly string[], position: string | undefined, limit: number): string {
  const [own, invited] = visibleHalves(position ? [...filters, position] : filters);
  const micros = `(extract(epoch FROM c.updated_at) * 1000000)::bigint::text AS micros`;
  const half = (where: string, access: string) =>
    `(SELECT ${CASE_COLUMNS}, '${access}' AS access, ${micros} FROM workflow_case c WHERE ${where}
       ORDER BY c.updated_at DESC, c.id DESC LIMIT $${limit}::int + $${limit + 1}::int)`;
  return `SELECT page.*, (${caseCountSql(filters)}) AS total FROM (${half(own, 'owner')} UNION ALL ${half(invited, 'invitee')}) page
    ORDER BY "updatedAt" DESC, id DESC LIMIT $${limit} OFFSET $${limit + 1}`;
}

/** How many cases `$1` sees that match `filters` (the list's total). */
export function caseCountSql(filters: readonly string[]): string {
  const [own, invited] = visibleHalves(filters);
  return `SELECT (SELECT count(*) FROM workflow_case c WHERE ${own}) + (SELECT count(*) FROM workflow_case c WHERE ${invited}) AS count`;
}

/** The case's deadlines as a JSON array, soonest first: read in the statement that reads or writes the case (and by the P1 benchmark's pgbench script). */
export const DEADLINES_OF_CASE = `(SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x."dueAt", x.key), '[]'::jsonb)
    FROM (SELECT ${DEADLINE_FIELDS} FROM case_deadline d WHERE d.case_id = c.id) x) AS deadlines`;

/** The conditional write of CaseRepository.write: built once, as its prepared statement's name is a hash of the text. */
const WRITE_CASE = `WITH updated AS (
     UPDATE workflow_case
        SET state = $3, data = $4, title = $5, fiscal_year = $6, invited_organisation_ids = $7,
            version = version + 1, updated_at = now(),
            state_entered_at = CASE WHEN $8 THEN now() ELSE state_entered_at END
      WHERE id = $1 AND version = $2 RETURNING *
   ), history AS (
     INSERT INTO case_history (case_id, actor_user_id, actor_kind, action, from_state, to_state, comment, changes, override)
     SELECT id, $9, CASE WHEN $9::uuid IS NULL THEN 'system' ELSE 'user' END, $10, $11, state, $12, $13, $14 FROM updated
   ), event AS (
     INSERT INTO outbox (event_id, case_id, type, payload) SELECT $15, id, $16, $17 FROM updated
   )
   SELECT ${CASE_COLUMNS}, ${DEADLINES_OF_CASE} FROM updated c`;

/**
 * All SQL of cases. Every read is scoped to the caller's organisation (and the cases it is
 * invited to) from the request context; every write is one statement that changes the case only
 * at the expected version and, in the same statement, appends history and the outbox event.
 */
@Injectable()
export class CaseRepository implements OnApplicationShutdown {
  private readonly waker: OutboxWaker;
  /** The relay's wake-ups go on a session of their own, so they never wait for a pooled connection behind requests. */
  private readonly wakeUps: SideConnection;
  /** Rows this process read or committed lately: an action naming the version it saw skips the read. */
  readonly recent = new RecentCases();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.wakeUps = new SideConnection(dataSource, 'koryu-outbox-wake');
    // A lost NOTIFY only delays the relay until its next poll; say so and carry on.
    this.waker = new OutboxWaker(
      (text) => this.wakeUps.query(text),
      (error) => new Logger('OutboxWaker').warn(`NOTIFY failed, the relay's poll will pick the events up: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.wakeUps.close();
  }

  /** The case as the caller sees it; with its deadlines in the same statement when asked (GET). */
  async findVisible(id: string, withDeadlines = false): Promise<VisibleCase | undefined> {
    const { organisationId } = requireActor();
    const [row] = await preparedQuery<VisibleCase>(
      this.dataSource,
      `SELECT ${CASE_COLUMNS}, CASE WHEN c.organisation_id = $2 THEN 'owner' ELSE 'invitee' END AS access, o.kind AS "ownerKind"
              ${withDeadlines ? `, ${DEADLINES_OF_CASE}` : ''}
         FROM workflow_case c JOIN organisation o ON o.id = c.organisation_id
        WHERE c.id = $1 AND ${visibleTo(2)}`,
      [id, organisationId],
    );
    if (row) this.recent.remember(row);
    return row;
  }

  /**
   * A page of the caller's cases, newest change first. With `after` it continues from a position
   * (keyset: as fast on page 200 as on page 1, on workflow_case_list_idx); otherwise it counts
   * `page` pages in with OFFSET.
   */
  /** A case by id for the system's own actions (timers): no organisation scope, as the owner sees it. */
  async findForSystem(id: string): Promise<VisibleCase | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT ${CASE_COLUMNS}, 'owner' AS access, o.kind AS "ownerKind"
         FROM workflow_case c JOIN organisation o ON o.id = c.organisation_id WHERE c.id = $1`,
      [id],
    );
    return row;
  }

  async list(filter: CaseFilter): Promise<{ items: VisibleCase[]; total: number; last?: ListPosition }> {
    const { organisationId } = requireActor();
    const filters: string[] = [];
    const params: unknown[] = [organisationId];
    const add = (clause: (n: number) => string, value: unknown) => {
      params.push(value);
      filters.push(clause(params.length));
    };
    if (filter.program) add((n) => `c.program = $${n}`, filter.program);
    if (filter.state) add((n) => `c.state = $${n}`, filter.state);
    if (filter.fiscalYear !== undefined) add((n) => `c.fiscal_year = $${n}`, filter.fiscalYear);
    if (filter.q) add((n) => `c.title ILIKE $${n}`, `%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    const counted = params.length;
    let position: string | undefined;
    if (filter.after) {
      params.push(filter.after.micros, filter.after.id);
      position = `(c.updated_at, c.id) < (timestamptz 'epoch' + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`;
    }
    params.push(filter.pageSize, filter.after ? 0 : (filter.page - 1) * filter.pageSize);
    // Prepared (one plan per connection and filter combination) on the pool, as the hot path's statements are.
    const rows = await preparedQuery<VisibleCase & { micros: string; total: string }>(this.dataSource, caseListSql(filters, position, params.length - 1), params);
    // An empty page carries no total: none on a first page, else counted on its own.
    const total =
      rows.length > 0
        ? Number(rows[0].total)
        : !filter.after && filter.page === 1
          ? 0
          : Number((await preparedQuery<{ count: string }>(this.dataSource, caseCountSql(filters), params.slice(0, counted)))[0].count);
    const lastRow = rows.at(-1);
    return {
      items: rows.map(({ micros: _micros, total: _total, ...row }) => row),
      total,
      last: rows.length === filter.pageSize && lastRow ? { micros: lastRow.micros, id: lastRow.id } : undefined,
    };
  }

  /** Creates the case with its first history entry and `case.created` event, in one statement. */
  async create(input: {
    program: string;
    programVersion: number;
    title: string;
    state: string;
    data: Record<string, unknown>;
    fiscalYear: number | null;
    invitedOrganisationIds: string[];
  }): Promise<CaseRow> {
    const actor = requireActor();
    const [row] = await preparedQuery<CaseRow>(
      this.dataSource,
      `WITH created AS (
         INSERT INTO workflow_case (program, program_version, organisation_id, title, state, data, fiscal_year, invited_organisation_ids, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *
       ), history AS (
         INSERT INTO case_history (case_id, actor_user_id, actor_kind, action, from_state, to_state, changes)
         SELECT id, $9, 'user', 'create', NULL, state, '[]'::jsonb FROM created
       ), event AS (
         INSERT INTO outbox (event_id, case_id, type, payload)
         SELECT $10, id, 'case.created', jsonb_build_object('program', program, 'organisationId', organisation_id, 'state', state, 'actorUserId', $9::uuid) FROM created
       )
       SELECT ${CASE_COLUMNS} FROM created c`,
      [input.program, input.programVersion, actor.organisationId, input.title, input.state, input.data, input.fiscalYear, input.invitedOrganisationIds, actor.userId, randomUUID()],
    );
    this.waker.wake();
    return row;
  }

  /**
   * The conditional write behind every transition and edit: `WHERE version = expected` (TypeORM's
   * @VersionColumn does not add it, typeorm #2848), history and outbox in the same statement, so
   * one round trip commits all three or nothing; the relay is woken after the commit. Undefined: the
   * version was stale (409).
   */
  async write(change: CaseWrite, inTransaction?: Query): Promise<CaseRow | undefined> {
    const run = <T>(text: string, values: unknown[]) => (inTransaction ? inTransaction<T>(text, values) : preparedQuery<T>(this.dataSource, text, values));
    const [row] = await run<CaseRow>(
      WRITE_CASE,
      [
        change.id,
        change.expectedVersion,
        change.state,
        change.data,
        change.title,
        change.fiscalYear,
        change.invitedOrganisationIds,
        change.stateChanged,
        change.history.actorUserId,
        change.history.action,
        change.history.from,
        change.history.comment,
        JSON.stringify(change.history.changes),
        change.history.override ? JSON.stringify(change.history.override) : null,
        randomUUID(),
        change.event.type,
        change.event.payload,
      ],
    );
    // Inside a transaction the caller wakes the relay after its commit (and the row, not yet
    // committed, is not remembered: a rollback would leave a version that never existed).
    if (row && !inTransaction) {
      this.waker.wake();
      this.recent.remember(row);
    }
    return row;
  }

  /** For fact loaders: a read-only query on the same pool. */
  query<T>(text: string, params: unknown[]): Promise<T[]> {
    return this.dataSource.query(text, params);
  }

  /**
   * Runs `work` in one transaction holding the given advisory locks (rules that count other cases,
   * effects that write beside the case), then wakes the outbox relay after the commit. A
   * transaction PostgreSQL aborts as a deadlock victim runs again (`work` must do nothing outside it).
   */
  async transaction<T>(lockKeys: readonly string[], work: (query: Query) => Promise<T>): Promise<T> {
    const result = await retryOnConflict(() =>
      this.dataSource.transaction(async (manager) => {
        const query: Query = (text, params) => manager.query(text, params);
        for (const key of lockKeys) await query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
        return work(query);
      }),
    );
    this.waker.wake();
    return result;
  }

  /** The deadlines of these cases (open ones and those that ended), by case, soonest first. */
  async deadlines(caseIds: readonly string[]): Promise<Map<string, DeadlineRow[]>> {
    const byCase = new Map<string, DeadlineRow[]>();
    if (caseIds.length === 0) return byCase;
    const text = `SELECT ${DEADLINE_FIELDS} FROM case_deadline d WHERE d.case_id = ANY ($1::uuid[]) ORDER BY d.due_at, d.key`;
    const rows = await preparedQuery<DeadlineRow>(this.dataSource, text, [caseIds]);
    for (const row of rows) byCase.set(row.caseId, [...(byCase.get(row.caseId) ?? []), row]);
    return byCase;
  }

  /**
   * A custom milestone (POST /cases/:id/deadlines) and its reminders, in one statement. Its
   * reminders go to the case's creator, whoever set it and `notify`. Only the new milestone's
   * reminders are written: the case's others are neither touched nor locked, so a worker holding
   * them while it sends them delays nothing here.
   */
  async addDeadline(input: { caseId: string; title: string; dueAt: Date; allDay: boolean; remindBefore: string[]; notify: string[]; createdBy: string }): Promise<DeadlineRow> {
    const [row] = await this.dataSource.query(
      `WITH deadline AS (
         INSERT INTO case_deadline (case_id, key, kind, title, due_at, all_day, remind_before, notify, created_by)
         VALUES ($1, 'custom-' || gen_random_uuid(), 'custom', jsonb_build_object('ja', $2::text, 'en', $2::text), $3, $4, $5, $6, $7)
         RETURNING id, case_id AS "caseId", key, kind, title, due_at AS "dueAt", all_day AS "allDay", remind_before AS "remindBefore", state, generation),
       reminders AS (
         INSERT INTO deadline_reminder (deadline_id, before, fire_at, generation, skipped, sent_at)
         SELECT d.id, r.before, r."fireAt", d.generation, r.skipped, CASE WHEN r.skipped THEN now() END
           FROM deadline d, jsonb_to_recordset($8::jsonb) AS r (before text, "fireAt" timestamptz, skipped boolean))
       SELECT id, "caseId", key, kind, title, "dueAt", "allDay", "remindBefore", state FROM deadline`,
      [input.caseId, input.title, input.dueAt, input.allDay, input.remindBefore, input.notify, input.createdBy, JSON.stringify(reminderTimes(input, new Date()))],
    );
    return row;
  }

  async history(caseId: string): Promise<HistoryRow[]> {
    return this.dataSource.query(
      `SELECT h.at, jsonb_build_object('kind', h.actor_kind, 'id', h.actor_user_id, 'name', u.name) AS actor, h.action,
              h.from_state AS "from", h.to_state AS "to", h.comment, h.changes, h.override
         FROM case_history h LEFT JOIN app_user u ON u.id = h.actor_user_id
        WHERE h.case_id = $1 ORDER BY h.id`,
      [caseId],
    );
  }
}
