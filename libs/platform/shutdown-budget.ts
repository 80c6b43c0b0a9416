import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** How long a service stopped by a signal may take to finish what it holds before it exits anyway. */
export const SHUTDOWN_BUDGET_MS = 20_000;

/**
 * Bounds a stop by SIGTERM or SIGINT. Nest's shutdown hooks wait for the queue workers' jobs, the
 * relay's batch and a mail being sent, and none of them has a time limit of its own (BullMQ's
 * `worker.close()` waits as long as a job runs): a stuck one would keep the process alive until
 * its supervisor kills it. After the budget the process exits with status 1; what it held is not
 * lost (its jobs stall and run again, its mail's row lock goes with its connection). A close
 * without a signal (tests, `app.close()`) has no budget.
 */
@Injectable()
export class ShutdownBudget implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ShutdownBudget.name);

  constructor(
    private readonly budgetMs = SHUTDOWN_BUDGET_MS,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    if (!signal) return;
    setTimeout(() => {
      this.logger.error(`${signal}: still stopping after ${this.budgetMs / 1000} s; exiting (the work in hand runs again elsewhere)`);
      this.exit(1);
    }, this.budgetMs).unref();
  }
}
