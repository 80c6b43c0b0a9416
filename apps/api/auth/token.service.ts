import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { type KoryuConfig } from '@koryu/config';
import { KORYU_CONFIG } from '@koryu/platform';

export interface AccessTokenClaims {
  sub: string;
  org: string;
  /** The user's session generation when the token was issued; see UserEntity.sessionGeneration. */
  gen: number;
  typ: 'access';
}

const ISSUER = 'koryu';
const AUDIENCE = 'koryu-api';
/** Pinned: a token naming any other algorithm (including `none`) is refused (CVE-2022-23540). */
const ALGORITHM = 'HS256';

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  get ttlSeconds(): number {
    return this.config.jwtTtlSeconds;
  }

  issue(claims: Omit<AccessTokenClaims, 'typ'>): Promise<string> {
    return this.jwt.signAsync({ ...claims, typ: 'access' }, { algorithm: ALGORITHM, issuer: ISSUER, audience: AUDIENCE, expiresIn: this.config.jwtTtlSeconds });
  }

  /** The claims of a valid token, or undefined for anything forged, expired, misdirected or malformed. */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE, clockTolerance: 0 });
      const valid = claims.typ === 'access' && typeof claims.sub === 'string' && typeof claims.gen === 'number';
      return valid ? claims : undefined;
    } catch {
      return undefined;
    }
  }
}
