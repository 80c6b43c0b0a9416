import { Injectable } from '@nestjs/common';
import { RateLimitedError, UnauthenticatedError } from '@koryu/domain';
import { dummyPasswordHash, verifyPassword } from '@koryu/persistence';
import { AuditService, currentContext } from '@koryu/platform';
import { AccountRepository, type UserRow } from '../accounts/account.repository';
import { LoginThrottle } from './login-throttle';
import { TokenService } from './token.service';

export interface LoginResult {
  accessToken: string;
  expiresIn: number;
  user: UserRow;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly throttle: LoginThrottle,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Every failure looks the same (401 INVALID_CREDENTIALS, same body) and costs the same time:
   * an unknown e-mail is verified against a dummy argon2 hash, so neither the answer nor its
   * timing tells whether an account exists. Disabled accounts fail the same way.
   */
  async login(rawEmail: string, password: string): Promise<LoginResult> {
    const email = rawEmail.trim().toLowerCase();
    const ip = currentContext()?.ip;
    const wait = await this.throttle.secondsToWait(email, ip);
    if (wait > 0) {
      await this.audit.record({ action: 'auth.login', outcome: 'denied', subject: email, actorUserId: null, organisationId: null, detail: { reason: 'rate-limited' } });
      throw new RateLimitedError(wait);
    }
    const credentials = await this.accounts.findCredentials(email);
    const passwordOk = await verifyPassword(credentials?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!credentials || !passwordOk || credentials.disabled) {
      await this.audit.record({
        action: 'auth.login',
        outcome: 'failure',
        subject: email,
        actorUserId: null,
        organisationId: credentials?.organisationId ?? null,
      });
      throw new UnauthenticatedError('INVALID_CREDENTIALS');
    }
    await this.audit.record({ action: 'auth.login', outcome: 'success', subject: email, actorUserId: credentials.id, organisationId: credentials.organisationId });
    const accessToken = await this.tokens.issue({ sub: credentials.id, org: credentials.organisationId, gen: credentials.sessionGeneration });
    const context = currentContext();
    if (context) context.actor = { userId: credentials.id, organisationId: credentials.organisationId, roles: credentials.roles, operator: false };
    const user = (await this.accounts.findMe())!;
    return { accessToken, expiresIn: this.tokens.ttlSeconds, user };
  }

  /** Ends every session of the caller (all devices): tokens carry the generation this bumps. */
  async logout(userId: string): Promise<void> {
    await this.accounts.bumpSessionGeneration(userId);
    await this.audit.record({ action: 'auth.logout', outcome: 'success', subject: userId });
  }
}
