import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export const PUBLIC_ORGANISATION_KINDS = ['prefecture', 'municipality', 'association'] as const;

export class CreateOrganisationDto {
  @ApiProperty({ example: '沖縄県' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: PUBLIC_ORGANISATION_KINDS })
  @IsIn(PUBLIC_ORGANISATION_KINDS)
  kind!: (typeof PUBLIC_ORGANISATION_KINDS)[number];

  @ApiProperty({ example: '470007', description: '1–12 letters or digits; 全国地方公共団体コード recommended' })
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,12}$/)
  code!: string;
}
