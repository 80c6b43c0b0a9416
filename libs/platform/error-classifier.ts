import { HttpException } from '@nestjs/common';
import { DomainError, RateLimitedError, ValidationFailedError } from '@koryu/domain';
import { isRetryableConflict } from '@koryu/persistence';

interface ErrorWithCode {
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  message?: unknown;
  driverError?: { code?: unknown };
}

/** PostgreSQL and network error codes that mean "the database is not reachable right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection is closed/i,
  // A database closed to connections (ALLOW_CONNECTIONS false, as during maintenance): SQLSTATE 55000, which other errors share.
  /is not currently accepting connections/i,
];

/**
 * Whether `error` says the database cannot be reached right now (stopped, restarting, refusing
 * connections, a connection cut): nothing was done, and the same work may well succeed later.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const e = (error ?? {}) as ErrorWithCode;
  const code = errorCode(e);
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

const errorCode = (e: ErrorWithCode) => (typeof e.code === 'string' ? e.code : typeof e.driverError?.code === 'string' ? e.driverError.code : undefined);

/**
 * Turns whatever was thrown (a DomainError, a Nest HttpException, a Fastify parser error, a
 * database driver error) into a DomainError, or undefined when it is a genuine bug (500).
 */
export function classifyError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  // Nest wraps errors raised by Fastify (body parsing, limits) in an HttpException with the original as cause.
  if (error instanceof HttpException && error.cause) {
    const cause = classifyError(error.cause);
    if (cause) return cause;
  }
  const e = (error ?? {}) as ErrorWithCode;
  const code = errorCode(e);
  const message = typeof e.message === 'string' ? e.message : '';

  // Fastify's own errors, raised before a route handler runs.
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ValidationFailedError([{ field: 'body', code: 'invalidJson' }]);
    case '23505': // unique_violation
      return new DomainError('CONFLICT');
    case '22P05': // untranslatable_character: validation should have caught it
    case '22021': // character_not_in_repertoire
      return new ValidationFailedError([{ field: 'body', code: 'isSafeText' }]);
  }
  // A deadlock victim or a serialization failure that still failed when its transaction ran again
  // (retryOnConflict): nothing was written, and the same request may well succeed in a moment.
  if (isDatabaseUnreachable(error) || isRetryableConflict(error)) return new DomainError('SERVICE_UNAVAILABLE');
  // secure-json-parse (Fastify's JSON parser) refuses prototype poisoning with a SyntaxError.
  if (error instanceof SyntaxError || /forbidden prototype property/i.test(message)) {
    const poisoned = /prototype property/i.test(message);
    return new ValidationFailedError([{ field: 'body', code: poisoned ? 'forbiddenKey' : 'invalidJson' }]);
  }
  if (error instanceof HttpException) return fromHttpException(error);
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (status === 413) return new DomainError('PAYLOAD_TOO_LARGE');
  if (status === 415) return new DomainError('UNSUPPORTED_MEDIA_TYPE');
  if (status === 400) return new ValidationFailedError([{ field: 'body', code: 'invalidJson' }]);
  return undefined;
}

function fromHttpException(error: HttpException): DomainError | undefined {
  switch (error.getStatus()) {
    case 400: {
      // Nest's JSON parser reports prototype poisoning and syntax errors as a plain 400.
      const text = `${error.message} ${JSON.stringify(error.getResponse())}`;
      if (/prototype|constructor/i.test(text)) return new ValidationFailedError([{ field: 'body', code: 'forbiddenKey' }]);
      if (/JSON|Unexpected|position/i.test(text)) return new ValidationFailedError([{ field: 'body', code: 'invalidJson' }]);
      return new ValidationFailedError([{ field: 'body', code: 'invalid' }]);
    }
    case 401:
      return new DomainError('UNAUTHENTICATED');
    case 403:
      return new DomainError('FORBIDDEN');
    case 404:
    case 405:
      return new DomainError('NOT_FOUND');
    case 413:
      return new DomainError('PAYLOAD_TOO_LARGE');
    case 415:
      return new DomainError('UNSUPPORTED_MEDIA_TYPE');
    case 429:
      return new RateLimitedError(60);
    case 503:
      return new DomainError('SERVICE_UNAVAILABLE');
    default:
      return undefined;
  }
}
