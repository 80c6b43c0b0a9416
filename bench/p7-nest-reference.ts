/**
 * P7's framework reference: NestJS on the same Fastify adapter, with one controller answering
 * `BODY` (JSON) on the API's route shape (`/api/v1/programs/:key/form`) and nothing else. It shows
 * what Nest and Fastify alone cost in the same run, so the report can split the API's distance from
 * bare `node:http` between the framework and what Koryu adds to every request.
 *
 * `ADD` (comma-separated) adds one of those per-request parts at a time, as the API has it, for
 * `BENCH_P7_PARTS=1`: `context` (a request context in AsyncLocalStorage, opened by an onRequest
 * hook), `headers` (the API's response headers: helmet's, cache-control and the request id), `guard`
 * (a global async guard doing the authenticator's work for a token and session it remembers),
 * `pipe` (the API's global validation pipe), `log` (the request log line), `cookie`
 * (@fastify/cookie). Started as its own process by P7.
 */
import 'reflect-metadata';
import cookie from '@fastify/cookie';
import { type CanActivate, Controller, type ExecutionContext, Get, Injectable, Module, Param, type Provider } from '@nestjs/common';
import { APP_GUARD, APP_PIPE, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentContext, KoryuValidationPipe, LogOutput, responseHeaders, runWithContext } from '@koryu/platform';

const body: unknown = JSON.parse(process.env.BODY ?? '{}');
const parts = new Set((process.env.ADD ?? '').split(',').filter(Boolean));

@Controller('programs')
class ReferenceController {
  @Get(':key/form')
  form(@Param('key') _key: string): unknown {
    return body;
  }
}

const TOKEN = 'reference-token';
const verified = new Map([[TOKEN, { sub: 'user', exp: Number.MAX_SAFE_INTEGER }]]);
const sessions = new Map([['user', { id: 'user', organisationId: 'organisation', roles: ['staff'] }]]);

/** The authenticator's work when it remembers the token and the session: two lookups behind awaits. */
@Injectable()
class ReferenceGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const claims = await (async () => verified.get(header?.startsWith('Bearer ') ? header.slice(7) : ''))();
    const user = await (async () => (claims && claims.exp > Date.now() ? sessions.get(claims.sub) : undefined))();
    if (!user) return false;
    const store = currentContext();
    if (store) store.actor = { userId: user.id, organisationId: user.organisationId, roles: user.roles, operator: false };
    return true;
  }
}

const providers: Provider[] = [];
if (parts.has('guard')) providers.push({ provide: APP_GUARD, useClass: ReferenceGuard });
if (parts.has('pipe')) providers.push({ provide: APP_PIPE, useClass: KoryuValidationPipe });

@Module({ controllers: [ReferenceController], providers })
class ReferenceModule {}

// The benchmark holds our stdin open; when it ends (the benchmark stopped or died), so do we.
process.stdin.on('end', () => process.exit(0)).resume();

void (async () => {
  const app = await NestFactory.create<NestFastifyApplication>(ReferenceModule, new FastifyAdapter(), { logger: false });
  app.setGlobalPrefix('api/v1');
  const fastify = app.getHttpAdapter().getInstance();
  const headers = responseHeaders(true);
  if (parts.has('headers') || parts.has('context')) {
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (parts.has('headers')) void reply.headers(headers).header('x-request-id', request.id);
      if (parts.has('context')) runWithContext({ requestId: String(request.id), locale: 'ja', ip: request.ip }, done);
      else done();
    });
  }
  if (parts.has('log')) {
    const log = new LogOutput({ level: 'info', service: 'reference' }).requests;
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      log.info({ reqId: request.id, method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime) }, 'request completed');
      done();
    });
  }
  if (parts.has('cookie')) await app.register(cookie as never);
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.stdout.write('READY\n');
})();
