import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsInt, Max, Min } from 'class-validator';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '@koryu/domain';
import { requireActor } from '@koryu/platform';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { OperatorOnly, Roles } from '../auth/roles.decorator';
import type { OrganisationRow } from './account.repository';
import { AccountsService } from './accounts.service';
import { CreateOrganisationDto } from './dto/create-organisation.dto';

export class OrganisationPolicyDto {
  @ApiProperty({ description: 'days between today and the preferred start of an ambassador-visit request (LEAD_TIME_TOO_SHORT)', example: 30 })
  @IsInt()
  @Min(0)
  @Max(365)
  visitLeadTimeDays!: number;
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('organisations')
export class OrganisationsController {
  constructor(
    private readonly accounts: AccountsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

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

  @Get(':id/policy')
  @Roles('admin')
  @ApiOperation({ summary: "The organisation's policies (its own admins, or system operators)" })
  async policy(@Param('id') id: string): Promise<OrganisationPolicyDto> {
    return this.readPolicy(id);
  }

  @Put(':id/policy')
  @Roles('admin')
  @ApiOperation({ summary: "Change the organisation's policies, e.g. the ambassador-visit lead time (default 30 days)" })
  async setPolicy(@Param('id') id: string, @Body() body: OrganisationPolicyDto): Promise<OrganisationPolicyDto> {
    this.assertOwnOrOperator(id);
    // A CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count] rather than rows.
    const [row] = await this.dataSource.query(
      'WITH changed AS (UPDATE organisation SET visit_lead_time_days = $2, updated_at = now() WHERE id = $1 RETURNING visit_lead_time_days) SELECT visit_lead_time_days AS "visitLeadTimeDays" FROM changed',
      [id, body.visitLeadTimeDays],
    );
    if (!row) throw new NotFoundError();
    return row;
  }

  private async readPolicy(id: string): Promise<OrganisationPolicyDto> {
    this.assertOwnOrOperator(id);
    const [row] = await this.dataSource.query('SELECT visit_lead_time_days AS "visitLeadTimeDays" FROM organisation WHERE id = $1', [id]);
    if (!row) throw new NotFoundError();
    return row;
  }

  /** Another organisation's policy does not exist for this caller (404, never 403). */
  private assertOwnOrOperator(id: string): void {
    const actor = requireActor();
    if (!/^[0-9a-f-]{36}$/i.test(id) || (!actor.operator && actor.organisationId !== id)) throw new NotFoundError();
  }
}
