import type { ActorRole, ProgramDefinition } from '@koryu/workflow';

/** The roles a user can hold; `system` is the timers' and no user's. */
export const USER_ROLES = ['staff', 'manager', 'admin'] as const satisfies readonly ActorRole[];

export interface RoleMatrixCell {
  action: string;
  from: string;
  role: (typeof USER_ROLES)[number];
  /** DOMAIN.md lists this role for this action (QUALITY.md S2: only they succeed). */
  listed: boolean;
}

/**
 * QUALITY.md S2, generated from a definition: every action from every state it starts from, tried
 * by every user role. A new action or role in a definition is covered without touching the test.
 */
export function roleMatrix(def: ProgramDefinition): RoleMatrixCell[] {
  return def.actions.flatMap((action) =>
    action.from.flatMap((from) => USER_ROLES.map((role) => ({ action: action.key, from, role, listed: action.roles.includes(role) }))),
  );
}
