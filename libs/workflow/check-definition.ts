import { Duration } from 'luxon';
import type { ProgramDefinition } from './definition';

/** Everything wrong with a definition, one readable line each; empty when it is sound. */
export function checkDefinition(def: ProgramDefinition): string[] {
  const problems: string[] = [];
  const at = (what: string) => problems.push(`${def.key} v${def.version}: ${what}`);
  const states = new Map(def.states.map((s) => [s.key, s]));
  const actions = new Set<string>();
  const rules = new Set(def.rules.map((r) => r.code));

  if (states.size !== def.states.length) at('duplicate state keys');
  if (rules.size !== def.rules.length) at('duplicate rule codes');
  if (!states.has(def.initialState)) at(`initial state "${def.initialState}" is not a state`);
  for (const state of def.states) if (!state.title.ja || !state.title.en) at(`state "${state.key}" needs a ja and an en title`);
  for (const rule of def.rules) if (!rule.messages.ja || !rule.messages.en) at(`rule ${rule.code} needs a ja and an en message`);

  for (const action of def.actions) {
    // An action key may appear once per from-state set (e.g. `cancel`), never twice from one state.
    for (const from of action.from) {
      const key = `${action.key}@${from}`;
      if (actions.has(key)) at(`action "${action.key}" is declared twice from "${from}"`);
      actions.add(key);
      if (!states.has(from)) at(`action "${action.key}" starts from unknown state "${from}"`);
      else if (states.get(from)?.terminal) at(`terminal state "${from}" has action "${action.key}"`);
    }
    if (!states.has(action.to)) at(`action "${action.key}" leads to unknown state "${action.to}"`);
    if (action.roles.length === 0) at(`action "${action.key}" has no role`);
    if (!action.title.ja || !action.title.en) at(`action "${action.key}" needs a ja and an en title`);
    for (const code of action.rules ?? []) if (!rules.has(code)) at(`action "${action.key}" names undefined rule ${code}`);
  }

  const reachable = new Set([def.initialState]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const action of def.actions) {
      if (action.from.some((f) => reachable.has(f)) && !reachable.has(action.to)) {
        reachable.add(action.to);
        grew = true;
      }
    }
  }
  for (const state of def.states) {
    if (!reachable.has(state.key)) at(`state "${state.key}" is unreachable`);
    if (!state.terminal && !def.actions.some((a) => a.from.includes(state.key))) at(`non-terminal state "${state.key}" has no way out`);
  }

  const actionKeys = new Set(def.actions.map((a) => a.key));
  for (const timer of def.timers ?? []) {
    if (!actionKeys.has(timer.action)) at(`timer points at unknown action "${timer.action}"`);
    else if (!def.actions.some((a) => a.key === timer.action && a.from.includes(timer.whileIn) && a.roles.includes('system'))) {
      at(`timer action "${timer.action}" is not a system action from "${timer.whileIn}"`);
    }
    if (!states.has(timer.whileIn)) at(`timer "${timer.action}" waits in unknown state "${timer.whileIn}"`);
  }
  for (const deadline of def.deadlines ?? []) {
    for (const state of deadline.whileIn) if (!states.has(state)) at(`deadline "${deadline.key}" names unknown state "${state}"`);
    for (const offset of deadline.remindBefore ?? []) if (!Duration.fromISO(offset).isValid) at(`deadline "${deadline.key}" reminds "${offset}" before, which is not an ISO-8601 duration`);
    if (deadline.repeatEvery && !Duration.fromISO(deadline.repeatEvery).isValid) at(`deadline "${deadline.key}" repeats every "${deadline.repeatEvery}", which is not an ISO-8601 duration`);
  }
  for (const editable of def.editable) {
    for (const state of editable.states) if (!states.has(state)) at(`editable fields name unknown state "${state}"`);
  }
  return problems;
}

/** Stops the process at start with every problem of every definition, and duplicate program keys. */
export function assertDefinitions(defs: readonly ProgramDefinition[]): void {
  const problems = defs.flatMap(checkDefinition);
  const keys = defs.map((d) => `${d.key} v${d.version}`);
  for (const key of new Set(keys)) if (keys.filter((k) => k === key).length > 1) problems.push(`${key}: registered twice`);
  if (problems.length > 0) throw new Error(`Broken program definitions:\n  ${problems.join('\n  ')}`);
}
