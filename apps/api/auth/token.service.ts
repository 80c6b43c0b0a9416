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
/** How many verified tokens are remembered (about one per signed-in user and device). */
const REMEMBERED_TOKENS = 10_000;

@Injectable()
export class TokenService {
  /**
   * Tokens this process verified, with their claims, until they expire: a token is a fixed string,
   * so one that verified once stays valid until its `exp`, and checking its signature again on every
   * request cost more than the rest of authentication. Revocation does not rely on this: the
   * authenticator compares the user's session generation from PostgreSQL on every request.
   */
  private readonly verified = new Map<string, AccessTokenClaims & { exp: number }>();

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
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
    }
    try {
      const claims = await this.jwt.verifyAsync<AccessTokenClaims & { exp: number }>(token, { algorithms: [ALGORITHM], issuer: ISSUER, audience: AUDIENCE, clockTolerance: 0 });
      const valid = claims.typ === 'access' && typeof claims.sub === 'string' && typeof claims.gen === 'number' && typeof claims.exp === 'number';
      if (!valid) return undefined;
      if (this.verified.size >= REMEMBERED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, claims);
      return claims;
    } catch {
      return undefined;
    }
  }
}
