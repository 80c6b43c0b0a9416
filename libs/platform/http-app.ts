import 'reflect-metadata';
import cookie from '@fastify/cookie';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { ConfigurationError, type KoryuConfig, loadConfig, type ServiceName } from '@koryu/config';
import { DomainError, ValidationFailedError } from '@koryu/domain';
import helmet, { type HelmetOptions } from 'helmet';
import secureJsonParse from 'secure-json-parse';
import { negotiateLocale } from '@koryu/i18n';
import { LogOutput } from './log-output';
import { httpRequestDuration } from './metrics';
import { runWithContext } from './request-context';

/** API.md: bodies over 1 MiB answer 413 PAYLOAD_TOO_LARGE. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
export const API_PREFIX = 'api/v1';
const HEALTH_PATH = `/${API_PREFIX}/health`;

/**
 * The headers helmet sets for these options, worked out once: without CSP nonces they are the same
 * for every response, and @fastify/helmet built helmet's middleware (parsing the CSP) on every
 * request.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, response as never, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/**
 * The headers every response starts with: helmet's for these options, and no storing by a cache
 * (the API's answers are personal and change with every action); a route that may be cached sets
 * its own cache-control.
 */
export function responseHeaders(production: boolean): Record<string, string> {
  const security = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        upgradeInsecureRequests: production ? [] : null,
      },
    },
    // HSTS only where HTTPS is guaranteed; on http://localhost it would pin the browser to HTTPS.
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  return { ...security, 'cache-control': 'no-store' };
}

/** Request ids: a well-formed incoming X-Request-Id is kept (tracing across a proxy), otherwise a UUID. */
function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
}

/** Loads the configuration or ends the process with the one-line message naming the variable. */
export function loadConfigOrExit(service: ServiceName): KoryuConfig {
  try {
    return loadConfig(service);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * JSON with prototype poisoning refused (`__proto__`, `constructor.prototype`), reporting which
 * problem it was: Fastify's own parser says only "invalid JSON" for both.
 */
function parseJsonBody(_request: unknown, body: Buffer, done: (error: Error | null, value?: unknown) => void): void {
  if (body.length === 0) return done(null, undefined);
  try {
    done(null, secureJsonParse.parse(body, undefined, { protoAction: 'error', constructorAction: 'error' }));
  } catch (error) {
    const poisoned = error instanceof Error && /prototype/i.test(error.message);
    done(new ValidationFailedError([{ field: 'body', code: poisoned ? 'forbiddenKey' : 'invalidJson' }]));
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** False for a request that sends a body other than JSON (API.md: the API speaks JSON only). */
function acceptsBody(request: FastifyRequest): boolean {
  if (!BODY_METHODS.has(request.method)) return true;
  const length = request.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
  return !hasBody || request.headers['content-type']?.split(';')[0].trim().toLowerCase() === 'application/json';
}

export interface HttpServiceOptions {
  config: KoryuConfig;
  /** Extra setup before listening (OpenAPI, bull-board, static files). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

/**
 * Creates a Koryu service on Fastify (7-8x Express on this machine: research perf-baseline §2.5)
 * with everything API.md and QUALITY.md S5 ask of every HTTP surface.
 */
export async function createHttpService(rootModule: unknown, { config, configure }: HttpServiceOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // A hop count, never `true`: trusting every X-Forwarded-For would let clients pick their own IP (and reset login throttling).
    trustProxy: (config.trustProxyHops > 0 ? config.trustProxyHops : false) as never,
    genReqId: (request: IncomingMessage) => {
      const id = requestIdFor(request);
      (request as typeof request & { id?: string }).id = id;
      return id;
    },
    requestIdHeader: false,
    // Prototype poisoning in JSON is refused by the parser itself (secure-json-parse).
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true },
  });
  // abortOnError false: a failure while starting rejects, so main.ts prints it before exiting (Nest's own
  // exit would drop it while the logs are still buffered).
  const app = await NestFactory.create<NestFastifyApplication>(rootModule as never, adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, parseJsonBody);
  app.enableShutdownHooks();
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: 'metrics', method: RequestMethod.GET }, { path: 'admin/queues', method: RequestMethod.ALL }] });

  const defaultHeaders = responseHeaders(config.production);
  const requestLog = app.get(LogOutput).requests;
  const fastify = app.getHttpAdapter().getInstance();
  // One hook, synchronous, for what every request needs first: the default headers and the request
  // id; one request context (request id, language, later the actor) for logs, audit and tenant
  // scoping; and JSON only (API.md), so a body of any other type is refused before it is parsed.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    void reply.headers(defaultHeaders).header('x-request-id', request.id);
    const context = { requestId: String(request.id), locale: negotiateLocale(request.headers['accept-language']), ip: request.ip, userAgent: request.headers['user-agent'] };
    runWithContext(context, () => (acceptsBody(request) ? done() : done(new DomainError('UNSUPPORTED_MEDIA_TYPE'))));
  });
  // Metrics, and one log line per request (not for health checks and metrics scrapes), without headers.
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` }, reply.elapsedTime / 1000);
    if (!request.url.startsWith(HEALTH_PATH) && request.url !== '/metrics') {
      const line = {
        reqId: request.id,
        method: request.method,
        url: request.url.replace(/token=[^&]+/g, 'token=[redacted]'),
        statusCode: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime),
      };
      // 503: refused while the database is away (readiness says so too); not a fault of this request.
      if (reply.statusCode === 503) requestLog.warn(line, 'request refused: service unavailable');
      else if (reply.statusCode >= 500) requestLog.error(line, 'request errored');
      else requestLog.info(line, 'request completed');
    }
    done();
  });

  await app.register(cookie as never);
  await configure?.(app);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  return app;
}
