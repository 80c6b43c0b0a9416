import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import type { DataSource } from 'typeorm';
import { fiscalYearLabel } from '@koryu/calendar';
import { ValidationFailedError } from '@koryu/domain';
import { currentLocale, requireActor } from '@koryu/platform';
import { JICA_SCHEME_KEYS, JICA_SCHEMES, type JicaScheme } from '@koryu/workflow';
import { Roles } from '../auth/roles.decorator';

export class CreateCallDto {
  @ApiProperty({ enum: JICA_SCHEME_KEYS }) @IsIn(JICA_SCHEME_KEYS) scheme!: JicaScheme;
  @ApiProperty({ example: 2026 }) @IsInt() @Min(2000) @Max(2100) fiscalYear!: number;
  @ApiProperty({ example: 1 }) @IsInt() @Min(1) @Max(12) round!: number;
  @ApiProperty({ example: '2026-04-01T00:00:00+09:00' }) @IsISO8601({ strict: true }) opensAt!: string;
  @ApiProperty({ example: '2026-05-31T17:00:00+09:00' }) @IsISO8601({ strict: true }) closesAt!: string;
}

export class ListCallsQuery {
  @ApiPropertyOptional({ enum: JICA_SCHEME_KEYS }) @IsOptional() @IsIn(JICA_SCHEME_KEYS) scheme?: JicaScheme;
  @ApiPropertyOptional({ description: 'true: only calls open now' }) @IsOptional() @IsIn(['true', 'false']) open?: 'true' | 'false';
}

export interface CallView {
  id: string;
  scheme: JicaScheme;
  schemeTitle: string;
  fiscalYear: number;
  fiscalYearLabel: string;
  round: number;
  opensAt: Date;
  closesAt: Date;
  open: boolean;
}

const COLUMNS = `id, scheme, fiscal_year AS "fiscalYear", round, opens_at AS "opensAt", closes_at AS "closesAt", (opens_at <= now() AND now() < closes_at) AS open`;

/** JICA calls (公募): admins register them; every signed-in user reads them to pick one on a form. */
@ApiTags('programs')
@ApiBearerAuth()
@Controller('calls')
export class CallsController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Register a JICA call (admins); one per scheme, fiscal year and round' })
  async create(@Body() body: CreateCallDto): Promise<CallView> {
    if (new Date(body.closesAt) <= new Date(body.opensAt)) throw new ValidationFailedError([{ field: 'closesAt', code: 'invalid' }]);
    if (!JICA_SCHEMES[body.scheme].call) throw new ValidationFailedError([{ field: 'scheme', code: 'isIn', params: { values: JICA_SCHEME_KEYS.filter((k) => JICA_SCHEMES[k].call).join(', ') } }]);
    const [row] = await this.dataSource.query(
      `INSERT INTO jica_call (scheme, fiscal_year, round, opens_at, closes_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [body.scheme, body.fiscalYear, body.round, body.opensAt, body.closesAt, requireActor().userId],
    );
    return this.view(row);
  }

  @Get()
  @ApiOperation({ summary: 'JICA calls, newest first; filter by scheme, and open=true for those open now' })
  async list(@Query() query: ListCallsQuery): Promise<CallView[]> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM jica_call
        WHERE ($1::text IS NULL OR scheme = $1) AND (NOT $2 OR (opens_at <= now() AND now() < closes_at))
        ORDER BY closes_at DESC, scheme LIMIT 500`,
      [query.scheme ?? null, query.open === 'true'],
    );
    return rows.map((row: Omit<CallView, 'schemeTitle' | 'fiscalYearLabel'>) => this.view(row));
  }

  private view(row: Omit<CallView, 'schemeTitle' | 'fiscalYearLabel'>): CallView {
    const locale = currentLocale();
    return { ...row, schemeTitle: JICA_SCHEMES[row.scheme].title[locale], fiscalYearLabel: fiscalYearLabel(row.fiscalYear, locale) };
  }
}
