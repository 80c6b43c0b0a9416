import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { QUEUE_CANARY } from '@koryu/platform';
import { QUEUES, type QueueCanary } from '@koryu/queues';

/** Mail and in-app deliveries (the delivery kinds arrive with the notifications issue). */
@Processor(QUEUES.notifications)
export class NotificationsProcessor extends WorkerHost {
  private readonly logger = new Logger(NotificationsProcessor.name);

  constructor(@Inject(QUEUE_CANARY) private readonly canary: QueueCanary) {
    super();
  }

  async process(job: Job): Promise<void> {
    if (this.canary.seen(job)) return;
    this.logger.warn({ jobName: job.name, jobId: job.id }, 'unknown notification job');
    throw new UnrecoverableError(`unknown notification job ${job.name}`);
  }
}
