import type { Logger } from '@nestjs/common';
import { RepeatingWarning } from './repeating-warning';

/**
 * A service's background loop (mail dispatch, reminder scheduling, pruning): runs `task`, then
 * again `everyMs` after each run ends, never two at once. A failed run is logged (at most one line
 * per half minute while it keeps failing, RepeatingWarning) and the next one tries again.
 * `stop` (at shutdown) cancels the next run and waits for the one in progress, which may read
 * `stopping` to end early. Its timer does not keep the process alive.
 */
export class PeriodicTask {
  private readonly failing: RepeatingWarning;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly options: { everyMs: number; logger: Pick<Logger, 'warn'>; failure: string },
  ) {
    this.failing = new RepeatingWarning(options.logger);
  }

  /** The first run at once, or after `firstAfterMs`. */
  start(firstAfterMs?: number): void {
    if (firstAfterMs === undefined) this.run();
    else this.schedule(firstAfterMs);
  }

  get stopping(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (!this.stopped) this.timer = setTimeout(() => this.run(), ms).unref();
  }

  private run(): void {
    if (this.stopped) return;
    this.running = this.task()
      .then(
        () => undefined,
        (error: unknown) => this.failing.warn(this.options.failure, error),
      )
      .finally(() => this.schedule(this.options.everyMs));
  }
}
