import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsEmail, IsIn, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { ROLES, type Role } from '@koryu/persistence';

export class CreateUserDto {
  @ApiProperty({ example: 'tanaka@pref.okinawa.example' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: '田中 花子' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ minLength: 12, maxLength: 256 })
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId!: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiProperty({ enum: ['ja', 'en'], default: 'ja' })
  @IsIn(['ja', 'en'])
  locale: 'ja' | 'en' = 'ja';
}
