import { Processor } from '@nestjs/bullmq';
import { Inject, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { KoryuWorkerHost, QUEUE_CANARIES } from '@koryu/platform';
import { QUEUES, type QueueCanaries } from '@koryu/queues';

/** Mail and in-app deliveries (the delivery kinds arrive with the notifications issue). */
@Processor(QUEUES.notifications)
export class NotificationsProcessor extends KoryuWorkerHost {
  private readonly logger = new Logger(NotificationsProcessor.name);

  constructor(@Inject(QUEUE_CANARIES) private readonly canaries: QueueCanaries) {
    super();
  }

  async handle(job: Job): Promise<void> {
    if (this.canaries.of(QUEUES.notifications).seen(job)) return;
    this.logger.warn({ jobName: job.name, jobId: job.id }, 'unknown notification job');
    throw new UnrecoverableError(`unknown notification job ${job.name}`);
  }
}
