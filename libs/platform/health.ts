import { Controller, Get, Inject, Module, type DynamicModule, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from './public.decorator';

/** A dependency whose failure makes this service not ready (PostgreSQL, Redis, a queue canary). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<Record<string, unknown> | void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is running (no dependencies checked)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'PostgreSQL and Redis answer: 200, otherwise 503 with the state of each' })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    try {
      const result = await this.health.check(
        this.checks.map((c) => async () => {
          const session = this.indicators.check(c.name);
          try {
            const data = await withTimeout(c.check(), CHECK_TIMEOUT_MS);
            return session.up(data ?? {});
          } catch (error) {
            return session.down({ message: error instanceof Error ? error.message : String(error) });
          }
        }),
      );
      void reply.status(200).header('cache-control', 'no-store').send(result);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503).header('cache-control', 'no-store').header('retry-after', '5').send(error.getResponse());
    }
  }
}

@Module({})
export class HealthModule {
  /** `checksProvider` must provide READINESS_CHECKS in the importing service. */
  static register(checksProvider: { imports?: DynamicModule['imports']; useFactory: (...args: never[]) => ReadinessCheck[]; inject?: DynamicModule['exports'] }): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(checksProvider.imports ?? [])],
      controllers: [HealthController],
      providers: [{ provide: READINESS_CHECKS, useFactory: checksProvider.useFactory, inject: (checksProvider.inject ?? []) as never[] }],
    };
  }
}
