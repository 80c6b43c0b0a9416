import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { KoryuConfig } from '@koryu/config';
import { DomainError, UnauthenticatedError } from '@koryu/domain';
import { type Actor, AuditService, currentContext, KORYU_CONFIG } from '@koryu/platform';
import { AccountRepository } from '../accounts/account.repository';
import { cookieNames, csrfSatisfied } from './session-cookies';
import { TokenService } from './token.service';

/**
 * Who is calling: a bearer token, or the web UI's session cookie (with the CSRF header on
 * state-changing requests). The user's current state is read on each request, so disabling a
 * user, a logout or a role change takes effect at once; the token only proves identity.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: TokenService,
    private readonly accounts: AccountRepository,
    private readonly audit: AuditService,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  async authenticate(request: FastifyRequest): Promise<Actor> {
    const { token, fromCookie } = this.extractToken(request);
    if (!token) throw new UnauthenticatedError();
    if (fromCookie && !csrfSatisfied(request, this.config.production)) {
      this.audit.recordQuietly({ action: 'access.csrf', outcome: 'denied', subject: describe(request) });
      throw new DomainError('CSRF_FAILED');
    }
    const claims = await this.tokens.verify(token);
    if (!claims) throw new UnauthenticatedError();
    const user = await this.accounts.findSessionState(claims.sub);
    if (!user || user.disabled || user.sessionGeneration !== claims.gen) throw new UnauthenticatedError();
    const actor: Actor = {
      userId: user.id,
      organisationId: user.organisationId,
      roles: user.roles,
      operator: user.organisationKind === 'operator' && user.roles.includes('admin'),
      organisationKind: user.organisationKind,
    };
    const context = currentContext();
    if (context) context.actor = actor;
    return actor;
  }

  /** Records a refused attempt (QUALITY.md S6) without failing the request that reports it. */
  denied(request: FastifyRequest): void {
    this.audit.recordQuietly({ action: 'access.forbidden', outcome: 'denied', subject: describe(request) });
  }

  private extractToken(request: FastifyRequest): { token?: string; fromCookie: boolean } {
    const header = request.headers.authorization;
    // Anything after the scheme is looked up or verified as it is: a malformed token fails verification.
    if (typeof header === 'string') return { token: header.startsWith(BEARER) ? header.slice(BEARER.length) || undefined : undefined, fromCookie: false };
    const cookie = request.cookies?.[cookieNames(this.config.production).session];
    return { token: cookie, fromCookie: Boolean(cookie) };
  }
}

const BEARER = 'Bearer ';

function describe(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions?.url ?? request.url.split('?')[0]}`;
}
