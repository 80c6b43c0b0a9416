import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { KoryuWorkerHost, QUEUE_CANARIES } from '@koryu/platform';
import { QUEUES, type QueueCanaries } from '@koryu/queues';

/** Operational jobs; today the canary that proves this worker still consumes after a Redis restart. */
@Processor(QUEUES.system)
export class SystemProcessor extends KoryuWorkerHost {
  private readonly logger = new Logger(SystemProcessor.name);

  constructor(@Inject(QUEUE_CANARIES) private readonly canaries: QueueCanaries) {
    super();
  }

  async handle(job: Job): Promise<void> {
    if (this.canaries.of(QUEUES.system).seen(job)) return;
    this.logger.warn({ jobName: job.name, jobId: job.id }, 'unknown system job');
    throw new UnrecoverableError(`unknown system job ${job.name}`);
  }
}
