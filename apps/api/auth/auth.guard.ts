import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '@koryu/domain';
import { IS_PUBLIC } from '@koryu/platform';
import { Authenticator } from './authenticator';
import { OPERATOR_ONLY, REQUIRED_ROLES } from './roles.decorator';

/** Global guard: every route needs a signed-in user unless marked @Public(); @Roles and @OperatorOnly narrow it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const actor = await this.authenticator.authenticate(request);
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets);
    const operatorOnly = this.reflector.getAllAndOverride<boolean | undefined>(OPERATOR_ONLY, targets);
    if ((roles && !roles.some((role) => actor.roles.includes(role))) || (operatorOnly && !actor.operator)) {
      this.authenticator.denied(request);
      throw new ForbiddenError();
    }
    return true;
  }
}
