import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { KoryuConfig } from '@koryu/config';
import { KORYU_CONFIG, Public, requireActor } from '@koryu/platform';
import { AuthService, type LoginResult } from './auth.service';
import { LoginDto } from './dto/login.dto';
import { clearSessionCookies, setSessionCookies } from './session-cookies';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: returns a bearer token and also sets an httpOnly session cookie for the web UI' })
  @ApiOkResponse({ description: '{ accessToken, expiresIn, user }' })
  @ApiUnauthorizedResponse({ description: 'INVALID_CREDENTIALS (same answer whether or not the account exists)' })
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED with Retry-After, after 10 failures in 15 minutes' })
  async login(@Body() body: LoginDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<LoginResult> {
    const result = await this.auth.login(body.email, body.password);
    setSessionCookies(reply, result.accessToken, result.expiresIn, this.config.production);
    return result;
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sign out everywhere: every token of the caller stops working' })
  async logout(@Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.logout(requireActor().userId);
    clearSessionCookies(reply, this.config.production);
  }
}
