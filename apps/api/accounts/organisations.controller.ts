import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OperatorOnly, Roles } from '../auth/roles.decorator';
import type { OrganisationRow } from './account.repository';
import { AccountsService } from './accounts.service';
import { CreateOrganisationDto } from './dto/create-organisation.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @OperatorOnly()
  @ApiOperation({ summary: 'Register an organisation (system operators only)' })
  @ApiCreatedResponse({ description: 'the organisation' })
  create(@Body() body: CreateOrganisationDto): Promise<OrganisationRow> {
    return this.accounts.createOrganisation(body);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Every organisation (name, kind, code): the directory used for invitations' })
  list(): Promise<OrganisationRow[]> {
    return this.accounts.listOrganisations();
  }
}
