import { randomUUID } from 'node:crypto';
import { DomainError, type ErrorCode, RateLimitedError, RuleFailedError, type Violation } from '@koryu/domain';
import { errorMessage, type Locale, violationMessage } from '@koryu/i18n';

/** Status of every error code (API.md "Conventions"); exhaustive so a new code cannot be forgotten. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  INVALID_TRANSITION: 409,
  SURVEY_CLOSED: 409,
  RULE_FAILED: 422,
  COMMENT_REQUIRED: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  violations: { field: string; code: string; message: string }[];
  requestId?: string;
  errorId?: string;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Set for unexpected errors: the id is logged with the stack and shown to the user. */
  errorId?: string;
}

const BODY_LIMIT_TEXT = '1 MiB';

function localiseViolations(violations: Violation[], locale: Locale): ErrorBody['violations'] {
  return violations.map((v) => ({
    field: v.field,
    code: v.code,
    message: v.messages?.[locale] ?? v.message ?? violationMessage(v.code, locale, { field: v.field, ...v.params }),
  }));
}

export function domainErrorResponse(error: DomainError, locale: Locale, requestId?: string): ErrorResponse {
  const status = STATUS_BY_CODE[error.code] ?? 422;
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitedError) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.code === 'SERVICE_UNAVAILABLE') headers['retry-after'] = '5';
  return {
    status,
    headers,
    body: {
      statusCode: status,
      code: error instanceof RuleFailedError ? error.ruleCode : error.code,
      message: error instanceof RuleFailedError ? error.messages[locale] : errorMessage(error.code, locale, { limit: BODY_LIMIT_TEXT, ...error.params }),
      violations: localiseViolations(error.violations, locale),
      requestId,
    },
  };
}

export function unexpectedErrorResponse(locale: Locale, requestId?: string): ErrorResponse {
  const errorId = randomUUID();
  return {
    status: 500,
    errorId,
    headers: {},
    body: {
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: errorMessage('INTERNAL_ERROR', locale, { errorId }),
      violations: [],
      requestId,
      errorId,
    },
  };
}
