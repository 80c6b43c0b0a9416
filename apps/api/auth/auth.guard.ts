import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '@koryu/domain';
import { IS_PUBLIC } from '@koryu/platform';
import { Authenticator } from './authenticator';
import { OPERATOR_ONLY, REQUIRED_ROLES } from './roles.decorator';

/** Who may call a route, from its decorators. */
interface RouteAccess {
  public: boolean;
  roles?: string[];
  operatorOnly?: boolean;
}

/** Global guard: every route needs a signed-in user unless marked @Public(); @Roles and @OperatorOnly narrow it. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Each route's access, read from its decorators once: metadata is fixed when the classes load. */
  private readonly routes = new WeakMap<object, Map<object, RouteAccess>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.accessOf(context);
    if (access.public) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const actor = await this.authenticator.authenticate(request);
    if ((access.roles && !access.roles.some((role) => actor.roles.includes(role))) || (access.operatorOnly && !actor.operator)) {
      this.authenticator.denied(request);
      throw new ForbiddenError();
    }
    return true;
  }

  private accessOf(context: ExecutionContext): RouteAccess {
    const [controller, handler] = [context.getClass(), context.getHandler()];
    let handlers = this.routes.get(controller);
    if (!handlers) this.routes.set(controller, (handlers = new Map()));
    let access = handlers.get(handler);
    if (!access) {
      const targets = [handler, controller];
      access = {
        public: Boolean(this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)),
        roles: this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, targets),
        operatorOnly: this.reflector.getAllAndOverride<boolean | undefined>(OPERATOR_ONLY, targets),
      };
      handlers.set(handler, access);
    }
    return access;
  }
}
