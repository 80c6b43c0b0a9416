import { type ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { toViolations, ValidationFailedError } from '@koryu/domain';
import { findUnsafeInput } from './input-safety';

/**
 * The global pipe: unknown fields are refused (whitelist + forbidNonWhitelisted), nested DTOs
 * are validated, nothing is converted implicitly (class-transformer #306 turns "false" into
 * true), and bodies are screened for prototype keys and unstorable text first.
 */
@Injectable()
export class KoryuValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: true, value: false },
      stopAtFirstError: false,
      exceptionFactory: (errors) => new ValidationFailedError(toViolations(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const unsafe = findUnsafeInput(value);
      if (unsafe) throw new ValidationFailedError([unsafe]);
    }
    return super.transform(value, metadata);
  }
}
