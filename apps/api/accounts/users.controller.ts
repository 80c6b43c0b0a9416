import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import type { UserRow } from './account.repository';
import { AccountsService } from './accounts.service';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({ summary: "Create a user in the admin's organisation (system operators: any organisation)" })
  @ApiCreatedResponse({ description: 'the user, without password' })
  create(@Body() body: CreateUserDto): Promise<UserRow> {
    return this.accounts.createUser(body);
  }

  @Get()
  @ApiOperation({ summary: "Users of the admin's organisation (system operators: all, or one organisation)" })
  list(@Query() query: ListUsersQuery): Promise<UserRow[]> {
    return this.accounts.listUsers(query.organisationId);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, roles, language or password, or disable: disabling ends every session at once' })
  update(@Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string, @Body() body: UpdateUserDto): Promise<UserRow> {
    return this.accounts.updateUser(id, body);
  }
}
