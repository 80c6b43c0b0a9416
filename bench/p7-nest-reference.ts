/**
 * P7's framework reference: NestJS on the same Fastify adapter, with one controller answering
 * `BODY` (JSON) on the API's route shape (`/api/v1/programs/:key/form`) and nothing else: no
 * authentication, hooks, request context, logs or metrics. It shows what Nest and Fastify alone
 * cost in the same run, so the report can split the API's distance from bare `node:http` between
 * the framework and what Koryu adds to every request. Started as its own process by P7.
 */
import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

const body: unknown = JSON.parse(process.env.BODY ?? '{}');

@Controller('programs')
class ReferenceController {
  @Get(':key/form')
  form(@Param('key') _key: string): unknown {
    return body;
  }
}

@Module({ controllers: [ReferenceController] })
class ReferenceModule {}

// The benchmark holds our stdin open; when it ends (the benchmark stopped or died), so do we.
process.stdin.on('end', () => process.exit(0)).resume();

void (async () => {
  const app = await NestFactory.create(ReferenceModule, new FastifyAdapter(), { logger: false });
  app.setGlobalPrefix('api/v1');
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.stdout.write('READY\n');
})();
