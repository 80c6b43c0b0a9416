import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsBoolean, IsIn, IsInt, isUUID, Max, Min, ValidateIf } from 'class-validator';
import type { DataSource } from 'typeorm';
import { DomainError, ForbiddenError, NotFoundError } from '@koryu/domain';
import { requireActor } from '@koryu/platform';
import { Roles } from '../auth/roles.decorator';
import { CaseRepository } from '@koryu/casework';

export class SurveyResponseDto {
  @ApiProperty({ enum: ['attending', 'declining'] }) @IsIn(['attending', 'declining']) attendance!: 'attending' | 'declining';
  @ApiPropertyOptional({ enum: ['governor', 'vice-governor', 'staff'], description: 'required when attending' })
  @ValidateIf((o: SurveyResponseDto) => o.attendance === 'attending' || o.attendeeLevel !== undefined)
  @IsIn(['governor', 'vice-governor', 'staff'])
  attendeeLevel?: 'governor' | 'vice-governor' | 'staff';
  @ApiPropertyOptional({ description: 'people in the delegation; required when attending' })
  @ValidateIf((o: SurveyResponseDto) => o.attendance === 'attending' || o.delegationSize !== undefined)
  @IsInt()
  @Min(1)
  @Max(200)
  delegationSize?: number;
  @ApiPropertyOptional({ description: 'joins the governors’ promotion (知事団によるプロモーション); required when attending' })
  @ValidateIf((o: SurveyResponseDto) => o.attendance === 'attending' || o.joinsPromotion !== undefined)
  @IsBoolean()
  joinsPromotion?: boolean;
}

export interface SurveyResponseView {
  organisationId: string;
  organisationName: string;
  status: 'pending' | 'attending' | 'declining' | 'no-response';
  attendeeLevel: string | null;
  delegationSize: number | null;
  joinsPromotion: boolean | null;
  answeredAt: Date | null;
}

const RESPONSE_COLUMNS = `r.organisation_id AS "organisationId", o.name AS "organisationName", r.status, r.attendee_level AS "attendeeLevel",
  r.delegation_size AS "delegationSize", r.joins_promotion AS "joinsPromotion", r.answered_at AS "answeredAt"`;

/**
 * The governor-conference participation survey (DOMAIN.md §4): the secretariat sees every
 * response; an invited organisation sees and answers its own, while the survey is open.
 */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases/:id/survey')
export class SurveyController {
  constructor(
    private readonly cases: CaseRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Survey responses: the secretariat sees all with a summary, an invited organisation its own' })
  async get(@Param('id') id: string) {
    const row = await this.visible(id);
    const { organisationId } = requireActor();
    const responses: SurveyResponseView[] = await this.dataSource.query(
      `SELECT ${RESPONSE_COLUMNS} FROM survey_response r JOIN organisation o ON o.id = r.organisation_id
        WHERE r.case_id = $1 AND ($2::boolean OR r.organisation_id = $3) ORDER BY o.code`,
      [id, row.access === 'owner', organisationId],
    );
    const count = (status: string) => responses.filter((r) => r.status === status).length;
    return {
      caseId: id,
      open: row.state === 'survey-open',
      deadline: typeof row.data.surveyDeadline === 'string' ? row.data.surveyDeadline : null,
      responses,
      summary:
        row.access === 'owner'
          ? {
              invited: responses.length,
              attending: count('attending'),
              declining: count('declining'),
              pending: count('pending'),
              noResponse: count('no-response'),
              delegates: responses.reduce((sum, r) => sum + (r.status === 'attending' ? (r.delegationSize ?? 0) : 0), 0),
            }
          : undefined,
    };
  }

  @Put('response')
  @HttpCode(200)
  @Roles('staff', 'manager')
  @ApiOperation({ summary: "An invited organisation's answer (again to change it) while the survey is open" })
  async answer(@Param('id') id: string, @Body() body: SurveyResponseDto): Promise<SurveyResponseView> {
    const row = await this.visible(id);
    // The secretariat reads the answers; it does not answer its own survey.
    if (row.access !== 'invitee') throw new ForbiddenError();
    const { organisationId, userId } = requireActor();
    const attending = body.attendance === 'attending';
    const [answered] = await this.dataSource.query(
      `WITH answered AS (
         UPDATE survey_response r SET status = $3, attendee_level = $4, delegation_size = $5, joins_promotion = $6, answered_by = $7, answered_at = now()
          FROM workflow_case c
         WHERE r.case_id = $1 AND r.organisation_id = $2 AND c.id = r.case_id AND c.state = 'survey-open'
         RETURNING r.*
       )
       SELECT ${RESPONSE_COLUMNS} FROM answered r JOIN organisation o ON o.id = r.organisation_id`,
      [id, organisationId, body.attendance, attending ? body.attendeeLevel : null, attending ? body.delegationSize : null, attending ? body.joinsPromotion : null, userId],
    );
    if (!answered) throw new DomainError('SURVEY_CLOSED');
    return answered;
  }

  private async visible(id: string) {
    if (!isUUID(id)) throw new NotFoundError();
    const row = await this.cases.findVisible(id);
    if (!row || row.program !== 'governor-conference') throw new NotFoundError();
    return row;
  }
}
