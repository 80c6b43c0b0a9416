import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ForbiddenError, NotFoundError, RuleFailedError } from '@koryu/domain';
import { requireActor } from '@koryu/platform';
import { type ActorRole, allowedActions, decide, diff, editableFields, factsNeeded, type ProgramDefinition, ProgramRegistry, ruleMessage } from '@koryu/workflow';
import { CaseRepository, type CaseRow, type HistoryRow, type VisibleCase } from './case.repository';
import type { ActionDto, CreateCaseDto, ListCasesQuery, PatchCaseDto } from './dto/case.dto';
import { PAGE_SIZE_DEFAULT } from './dto/case.dto';

export const PROGRAM_REGISTRY = Symbol('PROGRAM_REGISTRY');

export interface CaseView {
  id: string;
  program: string;
  programVersion: number;
  organisationId: string;
  title: string;
  state: string;
  data: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  allowedActions: string[];
  deadlines: { key: string; title: string; dueAt: string; status: string }[];
}

/** Loads a fact a rule declares it needs (e.g. how many conferences were approved this fiscal year). */
export type FactLoader = (caseRow: CaseRow, query: <T = Record<string, unknown>>(sql: string, params: unknown[]) => Promise<T[]>) => Promise<unknown>;
export const FACT_LOADERS = Symbol('FACT_LOADERS');

@Injectable()
export class CasesService {
  constructor(
    private readonly cases: CaseRepository,
    @Inject(PROGRAM_REGISTRY) private readonly programs: ProgramRegistry,
    @Inject(FACT_LOADERS) private readonly factLoaders: ReadonlyMap<string, FactLoader>,
  ) {
    // A rule whose fact nobody can load would fail on every use: refuse to start instead.
    const missing = programs.all().flatMap((def) => def.rules.flatMap((rule) => (rule.needs ?? []).filter((fact) => !factLoaders.has(fact)).map((fact) => `${def.key} ${rule.code} needs fact "${fact}"`)));
    if (missing.length > 0) throw new Error(`No loader for: ${missing.join('; ')}`);
  }

  async create(input: CreateCaseDto): Promise<CaseView> {
    const def = this.programs.current(input.program);
    if (!def) throw new DomainError('VALIDATION_FAILED', [{ field: 'program', code: 'isIn', params: { constraint1: this.programs.all().map((p) => p.key).join(', ') } }]);
    const actor = requireActor();
    if (!actor.roles.some((r) => r === 'staff' || r === 'manager')) throw new ForbiddenError();
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
    const row = await this.findVisible(id);
    return this.view(this.definitionOf(row), row);
  }

  async list(query: ListCasesQuery): Promise<{ items: CaseView[]; total: number }> {
    const page = await this.cases.list({ ...query, page: query.page ?? 1, pageSize: query.pageSize ?? PAGE_SIZE_DEFAULT });
    return { items: page.items.map((row) => this.view(this.definitionOf(row), row)), total: page.total };
  }

  async patch(id: string, input: PatchCaseDto): Promise<CaseView> {
    const row = await this.findVisible(id);
    const def = this.definitionOf(row);
    if (row.access !== 'owner') throw new ForbiddenError();
    const editable = editableFields(def, row.state, this.roles());
    const changed = Object.keys(input.data).filter((field) => JSON.stringify(input.data[field]) !== JSON.stringify(row.data[field]));
    const refused = editable === '*' ? [] : changed.filter((field) => !editable.includes(field));
    if (editable !== '*' && editable.length === 0 && changed.length > 0) throw new ForbiddenError();
    if (refused.length > 0) throw new DomainError('VALIDATION_FAILED', refused.map((field) => ({ field: `data.${field}`, code: 'notEditable' })));
    const data = { ...row.data, ...input.data };
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

  async act(id: string, actionKey: string, input: ActionDto): Promise<CaseView> {
    const row = await this.findVisible(id);
    const def = this.definitionOf(row);
    // An invitee sees public fields but never acts on another organisation's case.
    if (row.access !== 'owner') throw new ForbiddenError();
    const facts = await this.loadFacts(def, actionKey, row);
    const decision = decide(def, row, this.roles(), actionKey, input, facts, new Date());
    if (!decision.ok) throw this.refusal(def, decision.status, decision.code, decision.violations);
    const written = await this.cases.write({
      id,
      expectedVersion: input.version,
      state: decision.to,
      data: decision.data,
      title: def.titleOf(decision.data),
      fiscalYear: def.fiscalYearOf?.(decision.data) ?? null,
      invitedOrganisationIds: this.invitedOf(def, decision.data),
      stateChanged: decision.to !== decision.from,
      history: {
        actorUserId: requireActor().userId,
        action: decision.action,
        from: decision.from,
        comment: input.comment?.trim() || null,
        changes: decision.changes,
        override: decision.overriddenRules.length > 0 ? { reason: input.override?.reason ?? '', rules: decision.overriddenRules } : null,
      },
      event: { type: 'case.transitioned', payload: { program: def.key, organisationId: row.organisationId, action: decision.action, from: decision.from, to: decision.to, actorUserId: requireActor().userId } },
    });
    if (!written) {
      // Stale version, or another request moved the case first: both are a conflict for this caller.
      throw new DomainError('VERSION_CONFLICT');
    }
    return this.view(def, { ...written, access: 'owner' });
  }

  async history(id: string): Promise<HistoryRow[]> {
    const row = await this.findVisible(id);
    if (row.access !== 'owner') throw new NotFoundError();
    return this.cases.history(id);
  }

  private async findVisible(id: string): Promise<VisibleCase> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new NotFoundError();
    const row = await this.cases.findVisible(id);
    if (!row) throw new NotFoundError();
    return row;
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

  private async loadFacts(def: ProgramDefinition, actionKey: string, row: CaseRow): Promise<Record<string, unknown>> {
    const facts: Record<string, unknown> = {};
    for (const name of factsNeeded(def, actionKey, row.state)) {
      const loader = this.factLoaders.get(name);
      if (!loader) throw new Error(`no loader for fact "${name}" needed by ${def.key}`);
      facts[name] = await loader(row, (text, params) => this.cases.query(text, params));
    }
    return facts;
  }

  private refusal(def: ProgramDefinition, status: number, code: string, violations: { field: string; code: string; params?: Record<string, string | number> }[]): Error {
    if (status === 404) return new NotFoundError();
    if (status === 403) return new ForbiddenError();
    if (status === 409) return new DomainError('INVALID_TRANSITION');
    if (code === 'COMMENT_REQUIRED') return new DomainError('COMMENT_REQUIRED', [{ field: 'comment', code: 'COMMENT_REQUIRED' }]);
    const localized = (c: string, params?: Record<string, string | number>) => ({ ja: ruleMessage(def, c, 'ja', params) ?? c, en: ruleMessage(def, c, 'en', params) ?? c });
    return new RuleFailedError(
      code,
      localized(code, violations[0]?.params),
      violations.map((v) => ({ field: v.field.startsWith('data.') || v.field === 'comment' ? v.field : `data.${v.field}`, code: v.code, params: v.params, messages: localized(v.code, v.params) })),
    );
  }

  private view(def: ProgramDefinition, row: VisibleCase): CaseView {
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
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      allowedActions: publicOnly ? [] : allowedActions(def, row.state, this.roles()),
      // Deadlines are computed and tracked by the deadlines issue (6).
      deadlines: [],
    };
  }
}

