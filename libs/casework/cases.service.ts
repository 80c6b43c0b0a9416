import { isUUID } from 'class-validator';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ForbiddenError, NotFoundError, RuleFailedError, ValidationFailedError, type Violation } from '@koryu/domain';
import { dueInstant, fiscalYearLabel } from '@koryu/calendar';
import { type DeadlineStatus, deadlineStatus } from './deadlines';
import { type FactLoader, loadFacts, type Query } from './facts';
import { currentContext, currentLocale, domainErrorResponse, type ErrorBody, requireActor, runWithContext } from '@koryu/platform';
import { type ActionInput, type ActorRole, allowedActions, type Decision, decide, diff, editableFields, effectsOf, factsNeeded, lockKeys, type ProgramDefinition, ProgramRegistry, ruleMessage, type RuleParam, type RuleViolation, validateForm } from '@koryu/workflow';
import { CaseRepository, type CaseRow, type DeadlineRow, type HistoryRow, type ListPosition, type VisibleCase } from './case.repository';
import type { ActionDto, CheckActionDto, CreateCaseDto, CreateDeadlineDto, ListCasesQuery, PatchCaseDto } from './case.dto';
import { PAGE_SIZE_DEFAULT } from './case.dto';

export const PROGRAM_REGISTRY = Symbol('PROGRAM_REGISTRY');
const EXPORT_BATCH = 500;

/** A list position as an opaque token for `?cursor=` (base64url of "micros.id"). */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(`${position.micros}.${position.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  const match = /^(\d{1,20})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new ValidationFailedError([{ field: 'cursor', code: 'invalid' }]);
  return { micros: match[1], id: match[2] };
}

export interface CaseView {
  id: string;
  program: string;
  programVersion: number;
  organisationId: string;
  title: string;
  state: string;
  data: Record<string, unknown>;
  version: number;
  /** April–March, named by its starting year; `fiscalYearLabel` reads it in the caller's language (令和8年度). */
  fiscalYear: number | null;
  fiscalYearLabel: string | null;
  createdAt: Date;
  updatedAt: Date;
  allowedActions: string[];
  deadlines: DeadlineView[];
}

export interface DeadlineView {
  id: string;
  key: string;
  title: string;
  dueAt: Date;
  /** A whole day (due 23:59:59 JST, an all-day event in calendars). */
  allDay: boolean;
  status: DeadlineStatus;
  remindBefore: string[];
}

export const FACT_LOADERS = Symbol('FACT_LOADERS');

/**
 * What an action's named effect (ActionDefinition.effects) does beside the transition, in its
 * transaction: `before` may complete the data being written, `after` writes related rows.
 */
export interface CaseEffect {
  before?(context: { caseRow: VisibleCase; data: Record<string, unknown>; query: Query }): Promise<Record<string, unknown> | undefined>;
  after?(context: { caseRow: VisibleCase; data: Record<string, unknown>; query: Query }): Promise<void>;
}
export const CASE_EFFECTS = Symbol('CASE_EFFECTS');

type TransitionDecision = Extract<Decision, { ok: true }>;

/** Who takes an action: a user with their roles, or the system (a timer) with no user. */
interface Performer {
  roles: readonly ActorRole[];
  userId: string | null;
}

@Injectable()
export class CasesService {
  constructor(
    private readonly cases: CaseRepository,
    @Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry,
    @Inject(FACT_LOADERS) private readonly factLoaders: ReadonlyMap<string, FactLoader>,
    @Inject(CASE_EFFECTS) private readonly effects: ReadonlyMap<string, CaseEffect>,
  ) {
    // A rule whose fact nobody can load would fail on every use: refuse to start instead.
    const missing = programs.all().flatMap((def) => def.rules.flatMap((rule) => (rule.needs ?? []).filter((fact) => !factLoaders.has(fact)).map((fact) => `${def.key} ${rule.code} needs fact "${fact}"`)));
    const deadlineFacts = programs.all().flatMap((def) => (def.deadlines ?? []).flatMap((d) => (d.needs ?? []).filter((fact) => !factLoaders.has(fact)).map((fact) => `${def.key} deadline ${d.key} needs fact "${fact}"`)));
    const effectsMissing = programs.all().flatMap((def) => def.actions.flatMap((a) => (a.effects ?? []).filter((e) => !effects.has(e)).map((e) => `${def.key} ${a.key} has effect "${e}"`)));
    if (missing.length + deadlineFacts.length + effectsMissing.length > 0) throw new Error(`No loader or effect for: ${[...missing, ...deadlineFacts, ...effectsMissing].join('; ')}`);
  }

  async create(input: CreateCaseDto): Promise<CaseView> {
    const def = this.programs.current(input.program);
    if (!def) throw new DomainError('VALIDATION_FAILED', [{ field: 'program', code: 'isIn', params: { constraint1: this.programs.all().map((p) => p.key).join(', ') } }]);
    const actor = requireActor();
    if (!actor.roles.some((r) => r === 'staff' || r === 'manager')) throw new ForbiddenError();
    // A program belongs to kinds of organisation (governor conferences to the association's secretariat).
    if (!def.ownerKinds.some((kind) => kind === actor.organisationKind)) throw new ForbiddenError();
    this.assertShape(def, input.data);
    const row = await this.cases.create({
      program: def.key,
      programVersion: def.version,
      title: def.titleOf(input.data),
      state: def.initialState,
      data: input.data,
      fiscalYear: def.fiscalYearOf?.(input.data) ?? null,
      invitedOrganisationIds: this.invitedOf(def, input.data),
    });
    return this.view(def, { ...row, access: 'owner' });
  }

  async get(id: string): Promise<CaseView> {
    const row = await this.findVisible(id, true);
    return this.view(this.definitionOf(row), row);
  }

  async list(query: ListCasesQuery): Promise<{ items: CaseView[]; total: number; nextCursor: string | null }> {
    const page = await this.cases.list({
      ...query,
      page: query.page ?? 1,
      pageSize: query.pageSize ?? PAGE_SIZE_DEFAULT,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    });
    const deadlines = await this.cases.deadlines(page.items.map((row) => row.id));
    return { items: page.items.map((row) => this.view(this.definitionOf(row), row, this.roles(), deadlines.get(row.id))), total: page.total, nextCursor: page.last ? encodeCursor(page.last) : null };
  }

  /** Every case the list query matches, in keyset batches, for the CSV export. */
  async *exportRows(query: ListCasesQuery): AsyncGenerator<CaseView[]> {
    // The export is read while the response streams, outside the request's async context.
    const context = currentContext();
    if (!context) throw new Error('exportRows needs a request context');
    let after: ListPosition | undefined;
    do {
      const page = await runWithContext(context, () => this.cases.list({ ...query, page: 1, pageSize: EXPORT_BATCH, after }));
      yield runWithContext(context, () => page.items.map((row) => this.view(this.definitionOf(row), row)));
      after = page.last;
    } while (after);
  }

  /** The program of a case, for labels. */
  program(key: string): ProgramDefinition | undefined {
    return this.programs.current(key);
  }

  async patch(id: string, input: PatchCaseDto): Promise<CaseView> {
    const row = await this.findVisible(id);
    const def = this.definitionOf(row);
    if (row.access !== 'owner') throw new ForbiddenError();
    const changed = this.assertEditable(def, row, input.data);
    const data = { ...row.data, ...input.data };
    this.assertShape(def, data);
    const written = await this.cases.write({
      id,
      expectedVersion: input.version,
      state: row.state,
      data,
      title: def.titleOf(data),
      fiscalYear: def.fiscalYearOf?.(data) ?? null,
      invitedOrganisationIds: this.invitedOf(def, data),
      stateChanged: false,
      history: { actorUserId: requireActor().userId, action: 'update', from: row.state, comment: null, changes: diff(row.data, data), override: null },
      event: { type: 'case.updated', payload: { program: def.key, organisationId: row.organisationId, state: row.state, fields: changed } },
    });
    if (!written) throw new DomainError('VERSION_CONFLICT');
    return this.view(def, { ...written, access: 'owner' });
  }

  /**
   * A dry run of an action for forms that validate as the user types: role, state, the data's
   * shape and every rule are checked exactly as `act` checks them (the comment is not asked for)
   * and nothing is written. The answer is 200 with the error body `act` would give; an action the
   * program does not have, or another organisation's case, stays 404.
   */
  async check(id: string, actionKey: string, input: CheckActionDto): Promise<{ allowed: boolean; code: string | null; message: string | null; violations: ErrorBody['violations'] }> {
    const row = await this.findVisible(id);
    const def = this.definitionOf(row);
    try {
      await this.decideAction(def, row, actionKey, { ...input, dryRun: true }, { roles: this.roles(), userId: requireActor().userId });
      return { allowed: true, code: null, message: null, violations: [] };
    } catch (error) {
      if (!(error instanceof DomainError) || error instanceof NotFoundError) throw error;
      const { code, message, violations } = domainErrorResponse(error, currentLocale()).body;
      return { allowed: false, code, message, violations };
    }
  }

  async act(id: string, actionKey: string, input: ActionDto): Promise<CaseView> {
    const actor = requireActor();
    const performer = { roles: this.roles(), userId: actor.userId };
    // The row at the version the caller saw, if this process knows it: decided without a read, and
    // the conditional write proves it current. Any refusal is decided again on a fresh read, so
    // answers never depend on what this process remembers.
    const known = this.cases.recent.at(id, input.version, actor.organisationId);
    if (known) {
      try {
        return await this.perform(known, actionKey, input, performer);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    const row = await this.findVisible(id);
    return this.perform(row, actionKey, input, performer);
  }

  /**
   * A timer's transition (DOMAIN.md `system` actions): the same engine, transaction and history as
   * a person's, with actor `system`. Undefined when the case is gone or already moved on (a stale
   * timer does nothing); the write's version check makes a concurrent person win cleanly.
   */
  async actAsSystem(id: string, actionKey: string): Promise<CaseView | undefined> {
    return (await this.trySystemAction(id, actionKey)).moved;
  }

  /**
   * The same, saying also whether the action still applies when the case did not move: it waits in
   * a state where the system may take the action, but a rule refused it for now (e.g. no postName
   * yet). The case is read again only when a person changed it meanwhile.
   */
  async trySystemAction(id: string, actionKey: string): Promise<{ moved?: CaseView; stillApplies: boolean }> {
    const applies = (row: VisibleCase | undefined): row is VisibleCase => Boolean(row && allowedActions(this.definitionOf(row), row.state, ['system']).includes(actionKey));
    const row = await this.cases.findForSystem(id);
    if (!applies(row)) return { stillApplies: false };
    try {
      return { moved: await this.perform(row, actionKey, { version: row.version }, { roles: ['system'], userId: null }), stillApplies: false };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code !== 'VERSION_CONFLICT') return { stillApplies: true };
      return { stillApplies: applies(await this.cases.findForSystem(id)) };
    }
  }

  private async perform(row: VisibleCase, actionKey: string, input: ActionDto, performer: Performer): Promise<CaseView> {
    const def = this.definitionOf(row);
    const merged = { ...row.data, ...(input.data ?? {}) };
    const locks = row.access === 'owner' ? lockKeys(def, actionKey, row.state, { data: merged, organisationId: row.organisationId }) : [];
    const effects = row.access === 'owner' ? effectsOf(def, actionKey, row.state) : [];
    if (locks.length === 0 && effects.length === 0) {
      // The common path: one statement writes the case, its history and its event.
      const decision = await this.decideAction(def, row, actionKey, input, performer);
      return this.commit(def, row, input, decision, performer);
    }
    // Rules that count other cases, or effects beside the case: one transaction under the rules' locks.
    return this.cases.transaction(locks, async (query) => {
      const decision = await this.decideAction(def, row, actionKey, input, performer, query);
      let data = decision.data;
      for (const name of effects) data = (await this.effect(name).before?.({ caseRow: row, data, query })) ?? data;
      const view = await this.commit(def, row, input, { ...decision, data }, performer, query);
      for (const name of effects) await this.effect(name).after?.({ caseRow: row, data, query });
      return view;
    });
  }

  private async commit(def: ProgramDefinition, row: VisibleCase, input: ActionDto, decision: TransitionDecision, performer: Performer, query?: Query): Promise<CaseView> {
    const actorUserId = performer.userId;
    const written = await this.cases.write(
      {
        id: row.id,
        expectedVersion: input.version,
        state: decision.to,
        data: decision.data,
        title: def.titleOf(decision.data),
        fiscalYear: def.fiscalYearOf?.(decision.data) ?? null,
        invitedOrganisationIds: this.invitedOf(def, decision.data),
        stateChanged: decision.to !== decision.from,
        history: {
          actorUserId,
          action: decision.action,
          from: decision.from,
          comment: input.comment?.trim() || null,
          changes: diff(row.data, decision.data),
          override: decision.overriddenRules.length > 0 ? { reason: input.override?.reason ?? '', rules: decision.overriddenRules } : null,
        },
        event: {
          type: 'case.transitioned',
          payload: { program: def.key, organisationId: row.organisationId, action: decision.action, from: decision.from, to: decision.to, actorUserId, comment: input.comment?.trim() || null },
        },
      },
      query,
    );
    // Stale version, or another request moved the case first: both are a conflict for this caller
    // (inside a transaction, throwing rolls the effects back too).
    if (!written) throw new DomainError('VERSION_CONFLICT');
    return this.view(def, { ...written, access: 'owner' }, performer.roles);
  }

  private effect(name: string): CaseEffect {
    const effect = this.effects.get(name);
    if (!effect) throw new Error(`no case effect "${name}"`);
    return effect;
  }

  /** A custom milestone with its reminders (API.md `POST /cases/:id/deadlines`). */
  async addDeadline(id: string, input: CreateDeadlineDto): Promise<DeadlineView> {
    const row = await this.findVisible(id);
    const def = this.definitionOf(row);
    const actor = requireActor();
    if (row.access !== 'owner' || !actor.roles.some((r) => r === 'staff' || r === 'manager')) throw new ForbiddenError();
    if (def.states.find((s) => s.key === row.state)?.terminal) throw new DomainError('INVALID_TRANSITION');
    const allDay = /^\d{4}-\d{2}-\d{2}$/.test(input.dueAt);
    const dueAt = dueInstant(allDay ? { date: input.dueAt } : { instant: input.dueAt });
    const notify = input.notify ?? [];
    if (notify.length > 0) {
      const members = await this.cases.query<{ id: string }>('SELECT id FROM app_user WHERE id = ANY ($1::uuid[]) AND organisation_id = $2 AND disabled_at IS NULL', [notify, row.organisationId]);
      const unknown = notify.filter((userId) => !members.some((m) => m.id === userId));
      if (unknown.length > 0) throw new ValidationFailedError(unknown.map((userId) => ({ field: `notify.${notify.indexOf(userId)}`, code: 'invalid' })));
    }
    const created = await this.cases.addDeadline({ caseId: id, title: input.title, dueAt, allDay, remindBefore: input.remindBefore ?? [], notify, createdBy: actor.userId });
    return this.deadlineView(created);
  }

  private deadlineView(d: DeadlineRow): DeadlineView {
    const dueAt = new Date(d.dueAt);
    return { id: d.id, key: d.key, title: d.title[currentLocale()], dueAt, allDay: d.allDay, status: deadlineStatus({ state: d.state, dueAt }, new Date()), remindBefore: d.remindBefore };
  }

  async history(id: string): Promise<HistoryRow[]> {
    const row = await this.findVisible(id);
    if (row.access !== 'owner') throw new NotFoundError();
    return this.cases.history(id);
  }

  private async findVisible(id: string, withDeadlines = false): Promise<VisibleCase> {
    if (!isUUID(id)) throw new NotFoundError();
    const row = await this.cases.findVisible(id, withDeadlines);
    if (!row) throw new NotFoundError();
    return row;
  }

  /** The engine's decision on an action, or the error the API answers with: 403/409, then 400 for the action's data, then 422. */
  private async decideAction(def: ProgramDefinition, row: VisibleCase, actionKey: string, input: ActionInput, performer: Performer, query?: Query): Promise<TransitionDecision> {
    // An invitee sees public fields but never acts on another organisation's case.
    if (row.access !== 'owner') throw def.actions.some((a) => a.key === actionKey) ? new ForbiddenError() : new NotFoundError();
    const facts = await this.loadFacts(def, actionKey, { ...row, data: { ...row.data, ...(input.data ?? {}) } }, query);
    const decision = decide(def, row, performer.roles, actionKey, input, facts, new Date(), row.ownerKind);
    if (!decision.ok && decision.status !== 422) throw this.refusal(def, decision.status, decision.code, decision.violations);
    if (input.data) {
      this.assertEditable(def, row, input.data, performer.roles);
      this.assertShape(def, { ...row.data, ...input.data });
    }
    if (!decision.ok) throw this.refusal(def, decision.status, decision.code, decision.violations);
    return decision;
  }

  /** 400 unless the data fits the program's form (shapes and types; a draft may be incomplete). */
  private assertShape(def: ProgramDefinition, data: Record<string, unknown>): void {
    const { shape } = validateForm(def, data, 'save');
    if (shape.length > 0) throw new ValidationFailedError(shape.map((v) => ({ ...v, field: `data.${v.field}` })));
  }

  /** The fields the change touches; 403 when the caller may edit nothing here, 400 naming the fields it may not edit. */
  private assertEditable(def: ProgramDefinition, row: CaseRow, change: Record<string, unknown>, roles: readonly ActorRole[] = this.roles()): string[] {
    const editable = editableFields(def, row.state, roles);
    const changed = Object.keys(change).filter((field) => JSON.stringify(change[field]) !== JSON.stringify(row.data[field]));
    if (editable === '*') return changed;
    if (editable.length === 0 && changed.length > 0) throw new ForbiddenError();
    const refused = changed.filter((field) => !editable.includes(field));
    if (refused.length > 0) throw new ValidationFailedError(refused.map((field) => ({ field: `data.${field}`, code: 'notEditable' })));
    return changed;
  }

  private definitionOf(row: CaseRow): ProgramDefinition {
    const def = this.programs.version(row.program, row.programVersion);
    if (!def) throw new Error(`program ${row.program} v${row.programVersion} is not registered, but case ${row.id} uses it`);
    return def;
  }

  private roles(): ActorRole[] {
    return requireActor().roles as ActorRole[];
  }

  private invitedOf(def: ProgramDefinition, data: Record<string, unknown>): string[] {
    const value = def.invitations ? data[def.invitations.field] : undefined;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  private loadFacts(def: ProgramDefinition, actionKey: string, row: CaseRow, query?: Query): Promise<Record<string, unknown>> {
    return loadFacts(factsNeeded(def, actionKey, row.state), row, query ?? ((text, params) => this.cases.query(text, params)), this.factLoaders);
  }

  private refusal(def: ProgramDefinition, status: number, code: string, violations: RuleViolation[]): Error {
    if (status === 404) return new NotFoundError();
    if (status === 403) return new ForbiddenError();
    if (status === 409) return new DomainError('INVALID_TRANSITION');
    if (code === 'COMMENT_REQUIRED') return new DomainError('COMMENT_REQUIRED', [{ field: 'comment', code: 'COMMENT_REQUIRED' }]);
    const localized = (c: string, params?: Record<string, RuleParam>) => ({ ja: ruleMessage(def, c, 'ja', params) ?? c, en: ruleMessage(def, c, 'en', params) ?? c });
    return new RuleFailedError(
      code,
      localized(code, violations[0]?.params),
      // The messages are worked out here in both languages; the params stay with the rule.
      violations.map((v) => ({ field: v.field.startsWith('data.') || v.field === 'comment' ? v.field : `data.${v.field}`, code: v.code, messages: localized(v.code, v.params) })),
    );
  }

  private view(def: ProgramDefinition, row: VisibleCase, roles: readonly ActorRole[] = this.roles(), deadlines: DeadlineRow[] = row.deadlines ?? []): CaseView {
    const publicOnly = row.access === 'invitee';
    const data = publicOnly ? Object.fromEntries((def.invitations?.publicFields ?? []).filter((f) => f in row.data).map((f) => [f, row.data[f]])) : row.data;
    return {
      id: row.id,
      program: row.program,
      programVersion: row.programVersion,
      organisationId: row.organisationId,
      title: row.title,
      state: row.state,
      data,
      version: row.version,
      fiscalYear: row.fiscalYear,
      fiscalYearLabel: row.fiscalYear === null ? null : fiscalYearLabel(row.fiscalYear, currentLocale()),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      allowedActions: publicOnly ? [] : allowedActions(def, row.state, roles),
      // Kept in step by the worker's deadlines consumer after each change; invitees see none.
      deadlines: publicOnly ? [] : deadlines.map((d) => this.deadlineView(d)),
    };
  }
}

