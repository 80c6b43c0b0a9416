import { SetMetadata } from '@nestjs/common';
import type { Role } from '@koryu/persistence';

export const REQUIRED_ROLES = 'koryu:roles';
export const OPERATOR_ONLY = 'koryu:operator';

/** The caller needs at least one of these roles in their organisation. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);
/** Only admins of the operator organisation (system operators). */
export const OperatorOnly = () => SetMetadata(OPERATOR_ONLY, true);
