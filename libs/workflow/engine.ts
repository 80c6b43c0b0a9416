import type { ActionDefinition, ActorRole, OrganisationKind, ProgramDefinition, RuleDefinition, RuleParam, RuleViolation } from './definition';
import { validateForm } from './form';

export interface CaseSnapshot {
  state: string;
  data: Record<string, unknown>;
}

export interface ActionInput {
  comment?: string;
  /** Merged into the case data by the transition (already shape-checked by the host). */
  data?: Record<string, unknown>;
  override?: { reason: string };
  /** A dry run (`…/check`): the comment is not asked for, since the form has not been sent yet. */
  dryRun?: boolean;
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface TransitionEvent {
  type: 'case.transitioned';
  action: string;
  from: string;
  to: string;
}

export type Decision =
  | { ok: true; action: string; from: string; to: string; data: Record<string, unknown>; changes: FieldChange[]; overriddenRules: string[]; events: TransitionEvent[] }
  | { ok: false; status: 403 | 404 | 409 | 422; code: string; violations: RuleViolation[] };

/** The action keys `roles` may take in `state`; rules are not run (API.md "allowedActions"). */
export function allowedActions(def: ProgramDefinition, state: string, roles: readonly ActorRole[]): string[] {
  return def.actions.filter((a) => a.from.includes(state) && a.roles.some((r) => roles.includes(r))).map((a) => a.key);
}

function findAction(def: ProgramDefinition, key: string, state: string): ActionDefinition | undefined {
  return def.actions.find((a) => a.key === key && a.from.includes(state)) ?? def.actions.find((a) => a.key === key);
}

/** The rules an action runs: its own, and on `submit` every field rule of the program. */
export function rulesOf(def: ProgramDefinition, action: ActionDefinition): RuleDefinition[] {
  const codes = new Set(action.rules ?? []);
  return def.rules.filter((rule) => codes.has(rule.code) || (action.key === 'submit' && rule.fieldRule));
}

/** The lock keys the action's rules ask for (see RuleDefinition.lockKey). */
export function lockKeys(def: ProgramDefinition, actionKey: string, state: string, context: { data: Record<string, unknown>; organisationId: string }): string[] {
  const action = findAction(def, actionKey, state);
  return action ? [...new Set(rulesOf(def, action).flatMap((r) => (r.lockKey ? [r.lockKey(context)] : [])))].sort() : [];
}

/** The effects (ActionDefinition.effects) of an action from a state. */
export function effectsOf(def: ProgramDefinition, actionKey: string, state: string): readonly string[] {
  return findAction(def, actionKey, state)?.effects ?? [];
}

/** The facts every rule of this action needs, for the host to load before `decide`. */
export function factsNeeded(def: ProgramDefinition, actionKey: string, state: string): string[] {
  const action = findAction(def, actionKey, state);
  return action ? [...new Set(rulesOf(def, action).flatMap((r) => r.needs ?? []))] : [];
}

export function diff(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...fields]
    .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .sort()
    .map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null }));
}

/**
 * Decides one action, purely. Checks in this order, so each answer names the real obstacle:
 * 1. the program has no such action → 404 NOT_FOUND;
 * 2. none of the actor's roles may ever take it → 403 FORBIDDEN;
 * 3. it does not start from the current state → 409 INVALID_TRANSITION;
 * 4. a required comment is blank → 422 COMMENT_REQUIRED (field `comment`);
 * 5. its rules, on the data merged with the action's data → 422 with the first failing code; an
 *    overridable rule passes when a non-empty override reason is given (and is reported). On
 *    `submit`, every field the form requires and the draft lacks is a `FORM_INCOMPLETE` violation,
 *    after the rule violations.
 */
export function decide(
  def: ProgramDefinition,
  snapshot: CaseSnapshot,
  roles: readonly ActorRole[],
  actionKey: string,
  input: ActionInput,
  facts: Record<string, unknown>,
  now: Date,
  ownerKind?: OrganisationKind,
): Decision {
  const action = findAction(def, actionKey, snapshot.state);
  if (!action) return { ok: false, status: 404, code: 'NOT_FOUND', violations: [] };
  if (!def.actions.some((a) => a.key === actionKey && a.roles.some((r) => roles.includes(r)))) {
    return { ok: false, status: 403, code: 'FORBIDDEN', violations: [] };
  }
  if (!action.from.includes(snapshot.state)) return { ok: false, status: 409, code: 'INVALID_TRANSITION', violations: [] };
  if (!action.roles.some((r) => roles.includes(r))) return { ok: false, status: 403, code: 'FORBIDDEN', violations: [] };
  const commentRequired = Array.isArray(action.commentRequired) ? action.commentRequired.some((r) => roles.includes(r)) : Boolean(action.commentRequired);
  if (commentRequired && !input.dryRun && !input.comment?.trim()) {
    return { ok: false, status: 422, code: 'COMMENT_REQUIRED', violations: [{ field: 'comment', code: 'COMMENT_REQUIRED' }] };
  }

  const data = { ...snapshot.data, ...(input.data ?? {}) };
  const overrideGiven = Boolean(input.override?.reason?.trim());
  const violations: RuleViolation[] = [];
  const overriddenRules: string[] = [];
  for (const rule of rulesOf(def, action)) {
    const found = rule.check({ data, ownerKind, state: snapshot.state, now, facts });
    if (found.length === 0) continue;
    if (rule.overridable && overrideGiven) overriddenRules.push(rule.code);
    else violations.push(...found);
  }
  if (action.key === 'submit') violations.push(...validateForm(def, data, 'submit').incomplete);
  if (violations.length > 0) return { ok: false, status: 422, code: violations[0].code, violations };

  return {
    ok: true,
    action: action.key,
    from: snapshot.state,
    to: action.to,
    data,
    changes: diff(snapshot.data, data),
    overriddenRules,
    events: [{ type: 'case.transitioned', action: action.key, from: snapshot.state, to: action.to }],
  };
}

/** The state a history of actions leads to from the initial state (history must be valid). */
export function replay(def: ProgramDefinition, actions: readonly string[]): string {
  let state = def.initialState;
  for (const key of actions) {
    const action = def.actions.find((a) => a.key === key && a.from.includes(state));
    if (!action) throw new Error(`${def.key}: "${key}" is not possible from "${state}"`);
    state = action.to;
  }
  return state;
}

/** The fields `roles` may change in `state`: '*' for all, or a list (possibly empty). */
export function editableFields(def: ProgramDefinition, state: string, roles: readonly ActorRole[]): readonly string[] | '*' {
  const fields = new Set<string>();
  for (const rule of def.editable) {
    if (!rule.states.includes(state) || !rule.roles.some((r) => roles.includes(r))) continue;
    if (rule.fields === '*') return '*';
    for (const field of rule.fields) fields.add(field);
  }
  return [...fields];
}

/** Messages of the codes the engine itself produces, for every program. */
export const ENGINE_MESSAGES: Readonly<Record<string, { ja: string; en: string }>> = {
  FORM_INCOMPLETE: { ja: '提出するにはこの項目を入力してください。', en: 'Fill in this field to submit.' },
};

/** The rule message in the caller's language with its parameters filled in. */
export function ruleMessage(def: ProgramDefinition, code: string, locale: 'ja' | 'en', params: Record<string, RuleParam> = {}): string | undefined {
  const template = (def.rules.find((r) => r.code === code)?.messages ?? ENGINE_MESSAGES[code])?.[locale];
  const text = (value: RuleParam) => (typeof value === 'object' ? value[locale] : String(value));
  return template?.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? text(params[name]) : match));
}
