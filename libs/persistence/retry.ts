/**
 * SQLSTATEs after which PostgreSQL asks for the whole transaction to be run again: a deadlock it
 * broke by aborting this transaction, and a serialization failure. Neither left anything behind.
 */
const RETRYABLE = new Set(['40P01', '40001']);

/** The error is one of those, as `pg` raises it or as TypeORM wraps it. */
export function isRetryableConflict(error: unknown): boolean {
  const e = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.code ?? e.driverError?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs `transaction` (one whole database transaction, nothing done outside it) again when
 * PostgreSQL aborted it as a deadlock victim or for a serialization failure, up to `attempts`
 * times in all, after a short random pause (so the two sides of a deadlock do not meet again in
 * step). Any other error, or the last attempt's, is thrown as it came.
 */
export async function retryOnConflict<T>(transaction: () => Promise<T>, attempts = 3, pause: (attempt: number) => Promise<void> = randomPause): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      await pause(attempt);
    }
  }
}

const randomPause = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
