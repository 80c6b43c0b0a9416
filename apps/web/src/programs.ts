import type { MessageKey } from './i18n';
import type { I18n } from './locale';
import type { Me, Program, ProgramAction } from './types';

const BUILTIN_ACTIONS: Record<string, MessageKey> = {
  create: 'builtinAction.create',
  update: 'builtinAction.update',
  'answer-survey': 'builtinAction.answer-survey',
};

/** An action's title in the UI's language; the key itself if neither the program nor the UI knows it. */
export function actionTitle(program: Program | undefined, key: string, i18n: I18n): string {
  const action = program?.actions.find((candidate) => candidate.key === key);
  if (action) return i18n.pick(action.title);
  const builtin = BUILTIN_ACTIONS[key];
  return builtin ? i18n.t(builtin) : key;
}

export function stateTitle(program: Program | undefined, key: string, i18n: I18n): string {
  const state = program?.states.find((candidate) => candidate.key === key);
  return state ? i18n.pick(state.title) : key;
}

/** A step only a timer takes (`system` is its only role). */
export function isAutomatic(action: ProgramAction): boolean {
  return action.roles.every((role) => role === 'system');
}

/** Whether this user must comment: `commentRequired` is true, or names one of their roles. */
export function commentRequired(action: ProgramAction, roles: readonly string[]): boolean {
  const required = action.commentRequired;
  return Array.isArray(required) ? required.some((role) => roles.includes(role)) : required;
}

/** The programs the user's organisation may start a case of (by its kind: prefecture, municipality, association). */
export function startablePrograms(programs: ReadonlyMap<string, Program>, me: Me): Program[] {
  return [...programs.values()].filter((program) => program.ownerKinds?.includes(me.organisation.kind) ?? false);
}
