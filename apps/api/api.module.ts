import { createSecretKey } from 'node:crypto';
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
import { CasesController } from './cases/cases.controller';
import { CasesExportController } from './cases/cases-export.controller';
import { DemoCasesSeeder } from './demo/demo-cases';
import { InboxController } from './cases/inbox.controller';
import { SurveyController } from './cases/survey.controller';
import { CallsController } from './calls/calls.controller';
import { NotificationsController } from './notifications/notifications.controller';
import { CalendarController } from './calendar/calendar.controller';
import { CaseworkModule, type CaseworkOptions } from '@koryu/casework';
import { ProgramsController } from './cases/programs.controller';

export type ApiOptions = CaseworkOptions;

/** The HTTP API (API.md); later also serves the web UI. */
@Module({})
export class ApiModule {
  static forRoot(config: KoryuConfig, options: ApiOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot({ config }),
        // A KeyObject, not a string: jsonwebtoken otherwise tries (and fails) to parse the secret as a
        // public key on every verification, which cost 15% of the API's CPU in the P1 benchmark.
        JwtModule.register({ secret: createSecretKey(Buffer.from(resolveJwtSecret(config))), signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } }),
        // Checked at start: a broken program definition stops the process with every problem listed.
        CaseworkModule.forRoot(options),
      ],
      controllers: [AuthController, MeController, OrganisationsController, UsersController, ProgramsController, CasesExportController, CasesController, SurveyController, InboxController, CallsController, NotificationsController, CalendarController],
      providers: [
        AccountRepository,
        DemoCasesSeeder,
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
