import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI 3 generated from the controllers and DTOs: UI at /api/docs, document at /api/docs-json. */
export function mountOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Koryu API')
      .setDescription('交流 (Koryu): workflows of the international-exchange programs of Japanese local governments. Errors: { statusCode, code, message, violations }; messages follow Accept-Language (ja default, en).')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', useGlobalPrefix: false });
}
