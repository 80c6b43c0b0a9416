import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { getDataSourceToken, InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import type { KoryuConfig } from '@koryu/config';
import { attachMultiplexer, closeMultiplexer, dataSourceOptions, prepareDatabase } from '@koryu/persistence';
import { AuditService } from './audit.service';
import { HealthModule, type ReadinessCheck } from './health';
import { HttpExceptionFilter } from './http-exception.filter';
import { MetricsModule } from './metrics';
import { currentContext } from './request-context';
import { LogOutput } from './log-output';
import { ShutdownBudget } from './shutdown-budget';
import { KoryuValidationPipe } from './validation.pipe';

export const KORYU_CONFIG = Symbol('KORYU_CONFIG');
export const REDIS = Symbol('REDIS');
export const EXTRA_READINESS_CHECKS = Symbol('EXTRA_READINESS_CHECKS');

/** Runs migrations, the bootstrap admin and demo seeding before any service starts working. */
@Injectable()
class DatabaseSetup implements OnModuleInit {
  private readonly logger = new Logger('DatabaseSetup');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await prepareDatabase(this.dataSource, {
      adminEmail: this.config.adminEmail,
      adminPassword: this.config.adminPassword,
      demo: this.config.demo,
      log: (message) => this.logger.log(message),
    });
  }
}

/** Statements written to a multiplexed connection ahead of the answers (see Multiplexer). */
const MULTIPLEXING_DEPTH = 2;

/**
 * The hot-path statements (preparedQuery) go over pipelined connections beside the pool: half as
 * many as the pool's, opened when needed, two statements deep, so that PostgreSQL holds at most as
 * many of them at once as it would hold from the pool (and a stalled server keeps as many
 * requests waiting). Written two deep, a backend finds the next statement waiting when it
 * finishes one instead of idling until the busy API reads the answer and sends the next (README,
 * P1: one deep made no difference). Closed after the services' own shutdown hooks, with the pool.
 */
@Injectable()
class DatabaseMultiplexing implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PostgreSQL');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KORYU_CONFIG) private readonly config: KoryuConfig,
  ) {}

  onModuleInit(): void {
    attachMultiplexer(this.dataSource, {
      size: Math.ceil(this.config.databasePoolSize / MULTIPLEXING_DEPTH),
      depth: MULTIPLEXING_DEPTH,
      onError: (error) => this.logger.warn(`multiplexed connection lost: ${error.message}`),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeMultiplexer(this.dataSource);
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Redis's eviction policy, or undefined where `CONFIG GET` is not allowed (some managed services).
 * BullMQ's jobs are keys without expiry; under any policy but `noeviction` Redis may drop them when
 * memory runs short, and a queued event or reminder would be lost without a trace.
 */
async function evictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const answer = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return answer[1];
  } catch {
    return undefined;
  }
}

/**
 * Redis answers, and keeps every key (see evictionPolicy). BullMQ itself warns on stderr when it
 * connects to a Redis that may evict; readiness answers 503, naming the policy, for as long as it may.
 */
async function redisReadiness(redis: Redis): Promise<Record<string, unknown>> {
  await redis.ping();
  const policy = await evictionPolicy(redis);
  if (policy !== undefined && policy !== 'noeviction') {
    throw new Error(`maxmemory-policy is ${policy}: Koryu's queues need noeviction (CONFIG SET maxmemory-policy noeviction), or Redis may drop queued jobs when memory runs short`);
  }
  return { maxmemoryPolicy: policy ?? 'unknown (CONFIG GET not allowed)' };
}

/** Closes the log output at shutdown: a process that stops (or a test file that ends) keeps its last lines. */
@Injectable()
class LogFlusher implements OnApplicationShutdown {
  constructor(private readonly output: LogOutput) {}

  onApplicationShutdown(): void {
    this.output.close();
  }
}

export interface PlatformOptions {
  config: KoryuConfig;
  /** Service-specific readiness checks, besides PostgreSQL and Redis. */
  readiness?: { imports?: DynamicModule['imports']; inject?: unknown[]; useFactory: (...args: never[]) => ReadinessCheck[] };
}

/**
 * What every Koryu service stands on: validated config, PostgreSQL (migrated), a Redis
 * connection, JSON logs with request ids, metrics, health, the error format and validation.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot({ config, readiness }: PlatformOptions): DynamicModule {
    const logs = new LogOutput({ level: config.logLevel, service: config.service });
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          // No per-request pino-http child logger (its middleware, child and redaction per request
          // were a tenth of the API's CPU): http-app.ts logs each request's completion from a
          // Fastify hook, and the mixin tags every line logged while serving a request with its id.
          forRoutes: [],
          pinoHttp: [
            {
              ...logs.options,
              mixin: () => {
                const context = currentContext();
                return context ? { reqId: context.requestId } : {};
              },
              redact: { paths: ['*.authorization', '*.cookie', '*.password', '*.accessToken', '*.token'], censor: '[redacted]' },
            },
            logs.stream,
          ],
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions({
              url: config.databaseUrl,
              applicationName: `koryu-${config.service}`,
              poolSize: config.databasePoolSize,
              onPoolError: (error) => new Logger('PostgreSQL').warn(`idle connection lost: ${error.message}`),
            }),
            // In a container stack PostgreSQL may come up after us: keep trying for about a minute.
            retryAttempts: 30,
            retryDelay: 2_000,
          }),
        }),
        MetricsModule,
        HealthModule.register({
          imports: readiness?.imports,
          inject: [getDataSourceToken() as never, REDIS as never, ...((readiness?.inject ?? []) as never[])] as never,
          useFactory: ((dataSource: DataSource, redis: Redis, ...rest: never[]) => [
            { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) },
            { name: 'redis', check: () => redisReadiness(redis) },
            ...(readiness ? readiness.useFactory(...rest) : []),
          ]) as never,
        }),
      ],
      providers: [
        { provide: KORYU_CONFIG, useValue: config },
        {
          provide: REDIS,
          // Fails fast while Redis is away (health answers 503 at once) instead of queueing commands.
          useFactory: () => new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: `koryu-${config.service}` }),
        },
        RedisCloser,
        { provide: LogOutput, useValue: logs },
        LogFlusher,
        { provide: ShutdownBudget, useFactory: () => new ShutdownBudget() },
        DatabaseSetup,
        DatabaseMultiplexing,
        AuditService,
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useClass: KoryuValidationPipe },
      ],
      exports: [KORYU_CONFIG, REDIS, AuditService],
    };
  }
}
