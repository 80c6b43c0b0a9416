import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@koryu/domain';
import { AccountRepository } from './account.repository';

@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly accounts: AccountRepository) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user: id, email, name, organisationId, roles, locale, and organisation {id, name, kind}' })
  async me() {
    const me = await this.accounts.findMe();
    if (!me) throw new NotFoundError();
    return me;
  }

  @Get('colleagues')
  @ApiOperation({ summary: 'The active users of the caller’s organisation other than the caller, by name: [{id, name, roles}] (whom a custom deadline may also remind)' })
  colleagues() {
    return this.accounts.listColleagues();
  }
}
