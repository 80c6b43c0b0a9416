import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { type KoryuConfig, resolveJwtSecret } from '@koryu/config';
import { PlatformModule } from '@koryu/platform';
import { AccountRepository } from './accounts/account.repository';
import { AccountsService } from './accounts/accounts.service';
import { MeController } from './accounts/me.controller';
import { OrganisationsController } from './accounts/organisations.controller';
import { UsersController } from './accounts/users.controller';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { Authenticator } from './auth/authenticator';
import { LoginThrottle } from './auth/login-throttle';
import { TokenService } from './auth/token.service';

/** The HTTP API (API.md); later also serves the web UI. */
@Module({})
export class ApiModule {
  static forRoot(config: KoryuConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot({ config }),
        JwtModule.register({ secret: resolveJwtSecret(config), signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } }),
      ],
      controllers: [AuthController, MeController, OrganisationsController, UsersController],
      providers: [
        AccountRepository,
        AccountsService,
        AuthService,
        Authenticator,
        LoginThrottle,
        TokenService,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
