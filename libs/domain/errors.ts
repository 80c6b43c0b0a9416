/**
 * Error codes of the public API (API.md "Conventions"). Rule codes of DOMAIN.md join this list
 * as the programs arrive; every code has a status in the HTTP filter and a message in ja and en.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'CSRF_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'VERSION_CONFLICT',
  'INVALID_TRANSITION',
  'SURVEY_CLOSED',
  'RULE_FAILED',
  'COMMENT_REQUIRED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One field-level problem: `field` is a dotted path into the request body (`data.partners.0.kind`). */
export interface Violation {
  field: string;
  code: string;
  /** Placeholders for the localised message. */
  params?: Record<string, string | number>;
  /** Already-localised message, when the producer had it (e.g. a rule with its own text). */
  message?: string;
  /** Messages in both languages, when the producer owns the text (program rules). */
  messages?: { ja: string; en: string };
}

/** Base of every expected failure; the HTTP layer maps `code` to a status and a localised message. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly violations: Violation[] = [],
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor() {
    super('NOT_FOUND');
  }
}

export class ForbiddenError extends DomainError {
  constructor() {
    super('FORBIDDEN');
  }
}

export class ConflictError extends DomainError {
  constructor(violations: Violation[] = []) {
    super('CONFLICT', violations);
  }
}

export class ValidationFailedError extends DomainError {
  constructor(violations: Violation[]) {
    super('VALIDATION_FAILED', violations);
  }
}

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', [], { seconds: retryAfterSeconds });
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(code: 'UNAUTHENTICATED' | 'INVALID_CREDENTIALS' = 'UNAUTHENTICATED') {
    super(code);
  }
}

/**
 * A domain rule of a program failed (422): `ruleCode` is the first failing rule (DOMAIN.md rule
 * codes such as BUDGET_OVER_CAP), `messages` its text; every failure is in `violations`.
 */
export class RuleFailedError extends DomainError {
  constructor(
    readonly ruleCode: string,
    readonly messages: { ja: string; en: string },
    violations: Violation[],
  ) {
    super('RULE_FAILED', violations);
  }
}
