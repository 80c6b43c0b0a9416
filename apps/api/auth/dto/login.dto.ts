import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'staff@okinawa.example' })
  @IsString()
  @MinLength(3)
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'koryu-demo-2026' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password!: string;
}
