import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class CreateCaseDto {
  @ApiProperty({ example: 'jica-application' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,63}$/)
  program!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  data!: Record<string, unknown>;
}

export class PatchCaseDto {
  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  data!: Record<string, unknown>;

  @ApiProperty({ description: 'the version you read; a stale one answers 409 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  version!: number;
}

export class OverrideDto {
  @ApiProperty({ description: 'why the rule is overridden; kept in the history' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}

export class CheckActionDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'the form as typed so far; merged into the case data for the check' })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ type: OverrideDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OverrideDto)
  override?: OverrideDto;
}

/** An action: the dry run's fields plus the version read and the comment. */
export class ActionDto extends CheckActionDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  version!: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  comment?: string;
}

export class ListCasesQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) program?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) state?: string;
  @ApiPropertyOptional({ description: 'April–March, named by its starting year (2026 = 令和8年度)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(2000) @Max(2100) fiscalYear?: number;
  @ApiPropertyOptional({ description: 'words in the title' }) @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page: as fast on page 200 as on page 1 (page is ignored)' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]{1,200}$/) cursor?: string;
}

export const PAGE_SIZE_DEFAULT = 50;

export class CreateDeadlineDto {
  @ApiProperty({ example: '現地視察の受入れ体制の確定' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiProperty({ description: 'a day (YYYY-MM-DD, due 23:59:59 JST) or an instant (ISO 8601 with offset)', example: '2026-12-18' })
  @IsISO8601({ strict: true })
  dueAt!: string;

  @ApiPropertyOptional({ description: 'ISO-8601 durations before the due time: whole days at 09:00 JST on a business day, PT… exactly', example: ['P7D', 'P1D'] })
  @IsOptional()
  @IsString({ each: true })
  @Matches(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, { each: true })
  @ArrayMaxSize(10)
  @ArrayUnique()
  remindBefore?: string[];

  @ApiPropertyOptional({ description: 'users of the organisation who get the reminders besides the creator' })
  @IsOptional()
  @IsUUID('all', { each: true })
  @ArrayMaxSize(50)
  @ArrayUnique()
  notify?: string[];
}
