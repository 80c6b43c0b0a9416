import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { QUEUE_CANARY } from '@koryu/platform';
import { QUEUES, type QueueCanary } from '@koryu/queues';

/** Operational jobs; today the canary that proves this worker still consumes after a Redis restart. */
@Processor(QUEUES.system)
export class SystemProcessor extends WorkerHost {
  private readonly logger = new Logger(SystemProcessor.name);

  constructor(@Inject(QUEUE_CANARY) private readonly canary: QueueCanary) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (this.canary.seen(job)) return;
    this.logger.warn({ jobName: job.name, jobId: job.id }, 'unknown system job');
    throw new UnrecoverableError(`unknown system job ${job.name}`);
  }
}
