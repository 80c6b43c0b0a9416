import type { Logger } from '@nestjs/common';

/** How often a warning that keeps recurring is logged again. */
export const REPEAT_EVERY_MS = 30_000;

/**
 * A warning that recurs while a fault lasts (PostgreSQL or Redis away: a loop that retries every
 * second fails every second). The first is logged at once; while it keeps recurring, at most one
 * line per interval, saying how many were left out since the last.
 */
export class RepeatingWarning {
  private lastLogged = -Infinity;
  private leftOut = 0;

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly everyMs = REPEAT_EVERY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs `message`, followed by the error's message when one is given. */
  warn(message: string, error?: unknown): void {
    const now = this.now();
    if (now - this.lastLogged < this.everyMs) {
      this.leftOut += 1;
      return;
    }
    const line = error === undefined ? message : `${message}: ${error instanceof Error ? error.message : String(error)}`;
    this.logger.warn(this.leftOut > 0 ? `${line} (${this.leftOut} more since the last such line)` : line);
    this.lastLogged = now;
    this.leftOut = 0;
  }
}
